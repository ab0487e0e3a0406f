"""Image uploads: one door for every picture a user sends (correction evidence, destination
proof photos, credit-code certificates, termination letters).

`process_image` turns an untrusted upload into bytes that are safe to store:

1. Size: the declared size is checked before reading, and at most ``max_bytes_in + 1`` bytes
   are ever read, so a lying ``size`` cannot make us read more.
2. Type by content, never by name or declared content type: Pillow may only try the JPEG,
   MPO (multi-picture JPEG from phones), PNG, WEBP and GIF decoders (``Image.open(formats=…)``).
   GIF and animated WEBP/PNG keep their first frame only. HEIC/AVIF are refused with a hint
   (browsers and WeChat on iPhone already convert HEIC to JPEG when picking a photo).
3. Pixel bombs: ``Image.open`` reads only the header; width × height is compared with
   ``max_pixels`` (and Pillow's own ``Image.MAX_IMAGE_PIXELS``) before any pixel is decoded.
   Pillow's ``DecompressionBombError``/``DecompressionBombWarning`` become the same refusal.
   The warning filter is not changed (that state is process-wide and not thread-safe): our
   own check already refuses everything Pillow would warn about.
4. Integrity: ``verify()`` on a first opening, then a fresh opening is fully decoded;
   truncated or corrupt files are refused. (This relies on ``ImageFile.LOAD_TRUNCATED_IMAGES``
   staying at its default ``False``; nothing in this project may set it.)
5. Clean pixels: EXIF orientation applied (phone photos stand upright), an embedded ICC
   profile converted to sRGB (kept colours right for Display-P3 phone photos; dropped if it is
   malformed), transparency flattened on white, RGB. Then *all* metadata is dropped (EXIF
   including GPS, XMP, ICC, comments, DPI): the image is always re-encoded, never stored as
   uploaded.

Compression (the handbook: "最好不超过300k，否则系统自动压缩，可能会影响图像清晰度"), aiming at
``target_bytes`` while keeping small printed text legible:

- A lossless source (PNG/GIF) that fits ``target_bytes`` as PNG stays PNG: screenshots and
  scanned forms keep crisp text at no cost.
- Otherwise JPEG, optimised Huffman tables, progressive, chroma subsampling 4:2:0. Text
  legibility lives in luma, which 4:2:0 keeps at full resolution; measured on the test
  document, 4:4:4 spends ~25-30 % more bytes on chroma, which at 300 KB means a lower
  resolution or quality and a *larger* error on the text (docs/decisions/0002).
- Quality 85 at the original resolution first: if it fits, done (small images keep their
  resolution and a high quality). Else the highest quality in 40…85 (binary search) that fits
  at the original resolution.
- Only if quality 40 is not enough: downscale. Long sides follow the grid original × 0.85ᵏ,
  but never below 1600 px (1600 is itself a step): the first k is estimated from the byte
  count (bytes grow roughly with the pixel count) and then walked one step at a time; on the
  first step where quality 40 fits, the highest fitting quality is searched again.
- Last resort, when even 1600 px at quality 40 does not fit (practically only noise):
  continue the × 0.85 steps below 1600 px at quality 40. The result is ≤ ``target_bytes`` in
  every case; a target too small for any image is a refusal, not an oversize file.

Resizing uses Lanczos (sharp strokes). A 12-megapixel phone photo takes about one second.
"""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

from apps.core.errors import DomainError

MAX_IMAGES_PER_ITEM = 4
MAX_BYTES_IN = 15 * 1024 * 1024
TARGET_BYTES = 300 * 1024
MAX_PIXELS = 40_000_000

# Pillow format names: MPO is how Pillow names the multi-picture JPEGs many phones write.
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF")
_LOSSLESS_SOURCES = {"PNG", "GIF"}
_PNG_TRY_MAX_PIXELS = 4_000_000  # a PNG attempt on a bigger (photo) image is wasted time

QUALITY_FIRST = 85
QUALITY_FLOOR = 40
SCALE_STEP = 0.85
MIN_LONG_SIDE = 1600
_SMALLEST_LONG_SIDE = 16
JPEG_SUBSAMPLING = 2  # 4:2:0

MSG_NOT_IMAGE = "文件不是有效的图片，仅支持JPG、PNG、WEBP、GIF格式"
MSG_HEIC = "暂不支持HEIC/HEIF格式的图片，请转换为JPG后上传（iPhone可在“设置—相机—格式”中选择“兼容性最佳”）"
MSG_CORRUPT = "图片文件已损坏或不完整，请重新上传"
MSG_TOO_MANY_PIXELS = "图片像素过大，请压缩后再上传"
MSG_CANNOT_COMPRESS = "图片无法压缩到规定大小，请更换图片"
MSG_TOO_MANY_IMAGES = f"最多上传{MAX_IMAGES_PER_ITEM}张图片"

# ISO base-media brands (bytes 8..12 after "ftyp") of HEIF/HEIC/AVIF files.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
                b"mif1", b"msf1", b"avif", b"avis"}


class Upload(Protocol):
    name: str | None

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    content: bytes
    width: int
    height: int
    format: str  # "JPEG" or "PNG"
    original_name: str  # the user's file name: a label only, never a storage path

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return "png" if self.format == "PNG" else "jpg"

    @property
    def content_type(self) -> str:
        return "image/png" if self.format == "PNG" else "image/jpeg"


def process_image(
    uploaded: Upload | IO[bytes],
    *,
    max_bytes_in: int = MAX_BYTES_IN,
    target_bytes: int = TARGET_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> ProcessedImage:
    """Check an uploaded image and re-encode it clean and ≤ `target_bytes` (module docstring).
    Raises DomainError with a Chinese message for anything that is refused."""
    data = _read_limited(uploaded, max_bytes_in)
    image, source_format = _open_checked(data, max_pixels)
    image = _clean_pixels(image)
    content, fmt, image = _encode_within(image, source_format, target_bytes)
    return ProcessedImage(
        content=content,
        width=image.width,
        height=image.height,
        format=fmt,
        original_name=_label(getattr(uploaded, "name", None)),
    )


def image_content_file(processed: ProcessedImage) -> ContentFile:
    """The bytes under a random name (uuid4 hex + .jpg/.png) for a FileField / default storage;
    the directory (under the tenant) is the field's `upload_to`."""
    return ContentFile(processed.content, name=f"{uuid.uuid4().hex}.{processed.extension}")


def check_image_count(existing: int, adding: int = 1) -> None:
    """Refuse going above MAX_IMAGES_PER_ITEM images on one item (application, correction…)."""
    if adding < 0 or existing < 0:
        raise ValueError("image counts cannot be negative")
    if existing + adding > MAX_IMAGES_PER_ITEM:
        raise DomainError(MSG_TOO_MANY_IMAGES, code="too_many_images")


# --- reading and checking ---------------------------------------------------------------


def _too_large(max_bytes_in: int) -> DomainError:
    return DomainError(f"图片过大，请上传不超过{_human_size(max_bytes_in)}的图片", code="image_too_large")


def _human_size(n: int) -> str:
    mb, kb = 1024 * 1024, 1024
    if n >= mb and n % mb == 0:
        return f"{n // mb}MB"
    if n >= mb:
        return f"{n / mb:.1f}MB"
    if n % kb == 0:
        return f"{n // kb}KB"
    return f"{n}字节"


def _read_limited(uploaded: Any, max_bytes_in: int) -> bytes:
    declared = getattr(uploaded, "size", None)
    if isinstance(declared, int) and declared > max_bytes_in:
        raise _too_large(max_bytes_in)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(max_bytes_in + 1)
    if len(data) > max_bytes_in:
        raise _too_large(max_bytes_in)
    if not data:
        raise DomainError(MSG_NOT_IMAGE, code="image_invalid")
    return data


def _open_checked(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Header only → pixel limit → verify() → reopen and decode. Returns the decoded image."""
    try:
        probe = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError(MSG_TOO_MANY_PIXELS, code="image_too_many_pixels") from exc
    except Image.UnidentifiedImageError as exc:
        if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
            raise DomainError(MSG_HEIC, code="image_invalid") from exc
        raise DomainError(MSG_NOT_IMAGE, code="image_invalid") from exc
    except Exception as exc:  # noqa: BLE001 - hostile input: any decoder failure is a refusal
        raise DomainError(MSG_CORRUPT, code="image_corrupt") from exc

    width, height = probe.size
    limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels, Image.MAX_IMAGE_PIXELS)
    if width <= 0 or height <= 0:
        raise DomainError(MSG_CORRUPT, code="image_corrupt")
    if width * height > limit:
        raise DomainError(MSG_TOO_MANY_PIXELS, code="image_too_many_pixels")

    try:
        probe.verify()
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        source_format = image.format or ""
        image.load()  # first frame only for GIF / animated WEBP and PNG
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError(MSG_TOO_MANY_PIXELS, code="image_too_many_pixels") from exc
    except Exception as exc:  # noqa: BLE001 - truncated, bad CRC, broken stream…
        raise DomainError(MSG_CORRUPT, code="image_corrupt") from exc
    return image, source_format


# --- pixels -------------------------------------------------------------------------------


def _clean_pixels(image: Image.Image) -> Image.Image:
    """Upright, sRGB, RGB on white, no metadata left in `info`."""
    icc = image.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - malformed EXIF: keep the pixels as stored
        upright = image
    assert upright is not None  # noqa: S101 - only None with in_place=True
    image = upright

    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale PNG: scale to 8 bits instead of clipping.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")

    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat

    if icc and image.mode in ("RGB", "CMYK", "L"):
        image = _to_srgb(image, icc)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}  # EXIF, XMP, ICC, comments, DPI: nothing of the upload is written back
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except Exception:  # noqa: BLE001 - a malformed profile is dropped, the pixels kept as they are
        return image
    return converted if converted is not None else image


# --- encoding -------------------------------------------------------------------------------


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True, subsampling=JPEG_SUBSAMPLING)
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _best_quality(image: Image.Image, target_bytes: int, floor_bytes: bytes) -> bytes:
    """Highest quality in [QUALITY_FLOOR, QUALITY_FIRST) fitting the target, given that the
    floor quality fits (its bytes are `floor_bytes`). Binary search: ~3 encodes."""
    best = floor_bytes
    low, high = QUALITY_FLOOR + 1, QUALITY_FIRST - 1
    while low <= high:
        quality = (low + high) // 2
        content = _jpeg(image, quality)
        if len(content) <= target_bytes:
            best, low = content, quality + 1
        else:
            high = quality - 1
    return best


def _resized(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _long_sides(original: int, first_step: int) -> list[int]:
    """original × 0.85ᵏ for k ≥ first_step, with MIN_LONG_SIDE inserted as a step; below it
    (last resort) the × 0.85 steps continue down to a few pixels."""
    sides: list[int] = []
    k = max(1, first_step)
    floor_done = original <= MIN_LONG_SIDE
    while True:
        side = int(original * SCALE_STEP**k)
        if not floor_done and side <= MIN_LONG_SIDE:
            sides.append(MIN_LONG_SIDE)
            floor_done = True
            original, k = MIN_LONG_SIDE, 1  # continue the grid from the floor
            continue
        if side < _SMALLEST_LONG_SIDE:
            return sides
        sides.append(side)
        k += 1


def _encode_within(image: Image.Image, source_format: str, target_bytes: int) -> tuple[bytes, str, Image.Image]:
    if source_format in _LOSSLESS_SOURCES and image.width * image.height <= _PNG_TRY_MAX_PIXELS:
        content = _png(image)
        if len(content) <= target_bytes:
            return content, "PNG", image

    content = _jpeg(image, QUALITY_FIRST)
    if len(content) <= target_bytes:
        return content, "JPEG", image
    floor = _jpeg(image, QUALITY_FLOOR)
    if len(floor) <= target_bytes:
        return _best_quality(image, target_bytes, floor), "JPEG", image

    # Downscale: bytes ≈ proportional to pixels, so skip the steps that cannot fit.
    ratio = target_bytes / len(floor)
    first_step = math.ceil(math.log(ratio) / (2 * math.log(SCALE_STEP))) if ratio < 1 else 1
    original_side = max(image.size)
    start_side = int(original_side * SCALE_STEP**first_step)
    if start_side < MIN_LONG_SIDE < original_side:
        # The estimate lands below the floor: still try the floor (and the steps above it)
        # at least once before going below.
        first_step = max(1, math.floor(math.log(MIN_LONG_SIDE / original_side) / math.log(SCALE_STEP)))
    for long_side in _long_sides(original_side, first_step):
        smaller = _resized(image, long_side)
        floor = _jpeg(smaller, QUALITY_FLOOR)
        if len(floor) <= target_bytes:
            if long_side < MIN_LONG_SIDE:
                return floor, "JPEG", smaller  # last resort: keep pixels rather than quality
            return _best_quality(smaller, target_bytes, floor), "JPEG", smaller
    raise DomainError(MSG_CANNOT_COMPRESS, code="image_too_large")


def _label(name: str | None) -> str:
    if not name:
        return ""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200]
