"""Image uploads: one door for every picture a user sends (correction evidence, destination
proof photos, credit-code certificates, termination letters).

`process_image` turns an untrusted upload into bytes that are safe to store:

1. Size: the declared size is checked before reading, and at most ``max_bytes_in + 1`` bytes
   are ever read, so a lying ``size`` cannot make us read more.
2. Type by content, never by name or declared content type: Pillow may only try the JPEG
   (including phones' multi-picture MPO), PNG, WEBP and GIF decoders (``Image.open(formats=…)``).
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
- Otherwise JPEG: optimised Huffman tables, progressive (7-12 % smaller than baseline at the
  same quality, same pixels), chroma subsampling 4:2:0. Text legibility lives in luma, which
  every subsampling mode keeps at full resolution: at the same quality the luma — and the
  legibility measure of the tests — is identical with 4:2:0 and 4:4:4, but 4:4:4 spends
  3-13 % more bytes on chroma, which at 300 KB costs one or two quality steps or a
  resolution step (measured; docs/decisions/0002-image-uploads.md).
- Quality 85 at the original resolution first: if it fits, done — small images keep their
  resolution and a high quality. Else the highest quality of the ladder 80, 75 … 40 that fits
  at the original resolution (binary search: 3-4 encodes).
- Only if quality 40 is not enough: downscale. Long sides follow the grid original × 0.85ᵏ
  down to 1600 px, which is a step of its own and never skipped; on the first step where
  quality 40 fits, the highest fitting quality of the ladder is searched again. Steps that
  are predicted to be far too big are skipped (bytes shrink roughly with the pixel count:
  the walk resumes one step before the predicted one).
- Last resort, when even 1600 px at quality 40 does not fit (heavy noise, or a small
  ``target_bytes``): the × 0.85 steps continue below 1600 px. The result is ≤
  ``target_bytes`` in every case; a target too small for any image is a refusal
  (MSG_CANNOT_COMPRESS), never an oversize file.

Resizing uses Lanczos (sharp strokes). Cost measured on this project's machine: a
12-megapixel photo ~1 s and ~150 MB peak memory; a 40-megapixel one ~2 s and ~350 MB.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageFile, ImageOps

from apps.core.errors import DomainError

MAX_IMAGES_PER_ITEM = 4
MAX_BYTES_IN = 15 * 1024 * 1024
TARGET_BYTES = 300 * 1024
MAX_PIXELS = 40_000_000

# Pillow decoders allowed to open an upload. The multi-picture JPEGs many phones write come
# through the JPEG decoder (Pillow then reports their format as "MPO").
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_LOSSLESS_SOURCES = {"PNG", "GIF"}
_PNG_TRY_MAX_PIXELS = 4_000_000  # a PNG attempt on a bigger (photo) image is wasted time

QUALITIES = (85, 80, 75, 70, 65, 60, 55, 50, 45, 40)  # the JPEG quality ladder, best first
QUALITY_FIRST, QUALITY_FLOOR = QUALITIES[0], QUALITIES[-1]
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
_HEIF_BRANDS = frozenset(b"heic heix hevc hevx heim heis hevm hevs mif1 msf1 avif avis".split())


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
    uploaded: UploadedFile | IO[bytes],
    *,
    max_bytes_in: int = MAX_BYTES_IN,
    target_bytes: int = TARGET_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> ProcessedImage:
    """Check an uploaded image and re-encode it clean and ≤ `target_bytes` (module docstring).
    Raises DomainError with a Chinese message for anything that is refused."""
    # WeasyPrint (agreement PDFs) sets this Pillow global to True when it is imported; a
    # truncated upload must still be refused, so the safe default is restored here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
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
    except Exception as exc:  # hostile input: any decoder failure is a refusal
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
    except Exception as exc:  # truncated, bad CRC, broken stream…
        raise DomainError(MSG_CORRUPT, code="image_corrupt") from exc
    return image, source_format


# --- pixels -------------------------------------------------------------------------------


def _clean_pixels(image: Image.Image) -> Image.Image:
    """Upright, sRGB, RGB on white, no metadata left in `info`."""
    icc = image.info.get("icc_profile")
    with contextlib.suppress(Exception):  # malformed EXIF: keep the pixels as stored
        ImageOps.exif_transpose(image, in_place=True)  # no copy of the pixels when already upright

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
    except Exception:  # a malformed profile is dropped, the pixels kept as they are
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


def _best_quality(image: Image.Image, target_bytes: int, floor_bytes: bytes, *, first_too_big: bool) -> bytes:
    """The highest quality of the ladder that fits the target, given that the floor quality
    fits (its bytes are `floor_bytes`): a binary search over the steps above it (≤ 4 encodes;
    file size falls with the quality). `first_too_big`: QUALITY_FIRST already failed here."""
    best = floor_bytes
    low, high = (1 if first_too_big else 0), len(QUALITIES) - 2
    while low <= high:
        middle = (low + high) // 2
        content = _jpeg(image, QUALITIES[middle])
        if len(content) <= target_bytes:
            best, high = content, middle - 1
        else:
            low = middle + 1
    return best


def _resized(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _long_sides(original: int) -> list[int]:
    """The downscaling steps: original × 0.85ᵏ down to MIN_LONG_SIDE (itself a step), then
    (last resort) MIN_LONG_SIDE × 0.85ᵏ down to a few pixels."""
    sides: list[int] = []
    side = original
    if original > MIN_LONG_SIDE:
        while (side := int(side * SCALE_STEP)) > MIN_LONG_SIDE:
            sides.append(side)
        side = MIN_LONG_SIDE
        sides.append(side)
    while (side := int(side * SCALE_STEP)) >= _SMALLEST_LONG_SIDE:
        sides.append(side)
    return sides


def _next_step(sides: list[int], start: int, side: int, size: int, target_bytes: int) -> int:
    """Index of the next long side to try, from `start` on, after `side` gave `size` bytes."""
    if start >= len(sides):
        return start
    predicted = next(
        (i for i in range(start, len(sides)) if size * (sides[i] / side) ** 2 <= target_bytes), len(sides) - 1
    )
    index = max(start, predicted - 1)
    if sides[start] >= MIN_LONG_SIDE and MIN_LONG_SIDE in sides:
        index = min(index, sides.index(MIN_LONG_SIDE))
    return index


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
        return _best_quality(image, target_bytes, floor, first_too_big=True), "JPEG", image

    # Downscale, one step of the grid at a time — except that steps predicted to be far too big
    # are skipped: bytes shrink roughly with the pixel count (documents a little more slowly,
    # so the walk resumes one step before the prediction), and MIN_LONG_SIDE is never skipped.
    sides = _long_sides(max(image.size))
    index = _next_step(sides, 0, max(image.size), len(floor), target_bytes)
    while index < len(sides):
        smaller = _resized(image, sides[index])
        floor = _jpeg(smaller, QUALITY_FLOOR)
        if len(floor) <= target_bytes:
            return _best_quality(smaller, target_bytes, floor, first_too_big=False), "JPEG", smaller
        index = _next_step(sides, index + 1, sides[index], len(floor), target_bytes)
    raise DomainError(MSG_CANNOT_COMPRESS, code="image_too_large")


def _label(name: str | None) -> str:
    if not name:
        return ""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200]
