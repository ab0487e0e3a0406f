"""Image uploads (apps/core/images.py): what is refused, what is cleaned, and that a phone
photo of a document ends ≤ 300 KB with its small print still legible."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageDraw, ImageFile, ImageFilter, ImageFont, ImageStat

from apps.core.errors import DomainError
from apps.core.images import (
    MAX_IMAGES_PER_ITEM,
    check_image_count,
    image_content_file,
    process_image,
)

KB = 1024


def upload(data: bytes, name: str = "证明材料.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def encoded(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def noise_photo(size: tuple[int, int], sigma: float = 12) -> Image.Image:
    """Grey-ish paper with independent sensor noise per channel (photo-like, compresses badly)."""
    grain = Image.merge("RGB", [Image.effect_noise(size, sigma) for _ in range(3)])
    return ImageChops.add(Image.new("RGB", size, (220, 215, 205)), grain, offset=-128)


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        process_image(upload(data), **kwargs)
    return caught.value.message


# --- the document photo: ~2 MB, 3000×4000, lines of small print -----------------------------

DOC_SIZE = (3000, 4000)
TEXT_BOX = (200, 300, 2800, 3260)  # where the lines of print are (left, top, right, bottom)


@pytest.fixture(scope="module")
def document_photo():
    """A phone photo of a printed page: paper lit unevenly (a gradient), sensor noise in
    every channel (a 1000 px noise tile repeated: JPEG works on 8×8 blocks, so the
    repetition does not help it, and it is 12× cheaper to make), and 60 lines of 20 px and
    28 px print — the size of the fine print on a credit-code certificate photographed
    whole. Returns the uploaded JPEG bytes (quality 90, ~2.2 MB) and a mask of the ink."""
    width, height = DOC_SIZE
    light = Image.linear_gradient("L").resize(DOC_SIZE)
    paper = Image.merge("RGB", [light.point(lambda v, c=c: c - v * 40 // 255) for c in (238, 234, 226)])
    tile = Image.merge("RGB", [Image.effect_noise((1000, 1000), 4) for _ in range(3)])
    grain = Image.new("RGB", DOC_SIZE)
    for x in range(0, width, 1000):
        for y in range(0, height, 1000):
            grain.paste(tile, (x, y))
    photo = ImageChops.add(paper, grain, offset=-128)
    ink = Image.new("L", DOC_SIZE, 0)
    draw_photo, draw_ink = ImageDraw.Draw(photo), ImageDraw.Draw(ink)
    y = TEXT_BOX[1]
    for line in range(60):
        font = ImageFont.load_default(size=28 if line % 3 else 20)
        text = f"{line:02d} Unified social credit code 91340100MA2N{line:04d}X  Anhui Example University  Hefei 230000"
        draw_photo.text((TEXT_BOX[0], y), text, font=font, fill=(35, 35, 40))
        draw_ink.text((TEXT_BOX[0], y), text, font=font, fill=255)
        y += font.size + 24
    assert y == TEXT_BOX[3]
    return encoded(photo, quality=90), ink


@pytest.fixture(scope="module")
def processed_document(document_photo):
    data, _ = document_photo
    return process_image(upload(data, name="IMG_20250601_101010.jpg"))  # ~1 s


def at_result_size(original: Image.Image, ink: Image.Image, size: tuple[int, int]):
    """The text box of the original downscaled to `size` with Lanczos — the best this
    resolution could look — in luma (what carries text), and the ink coverage at that size."""
    box = tuple(round(v * size[0] / original.width) for v in TEXT_BOX)
    reference = original.convert("L").resize(size, Image.Resampling.LANCZOS).crop(box)
    coverage = ink.resize(size, Image.Resampling.BOX).crop(box)
    masks = {
        "touched": coverage.point(lambda v: 255 if v > 0 else 0),
        "full": coverage.point(lambda v: 255 if v >= 200 else 0),
        "paper": coverage.filter(ImageFilter.MaxFilter(5)).point(lambda v: 0 if v > 0 else 255),
    }
    return reference, masks, box


def legibility(got: Image.Image, reference: Image.Image, masks: dict[str, Image.Image]) -> dict[str, float]:
    """How well the print survived in `got` (luma, same box and size as `reference`):

    - ink_error: mean absolute grey-level error over every pixel the ink touches (strokes and
      their edges). Blur, ringing and blocking on the letters all raise it.
    - contrast_kept: (paper − ink) of `got` / the same of the reference, with ink = the pixels
      fully covered by a stroke and paper = the pixels of the text box no stroke touches
      (2 px margin). A washed-out or smeared stroke lowers it.
    - dark_strokes: share of fully covered stroke pixels still darker than halfway between the
      reference's ink and paper — strokes that stayed dark."""
    touched, full, paper = masks["touched"], masks["full"], masks["paper"]
    ink_error = ImageStat.Stat(ImageChops.difference(reference, got), touched).mean[0]
    ref_ink, ref_paper = ImageStat.Stat(reference, full).mean[0], ImageStat.Stat(reference, paper).mean[0]
    got_ink, got_paper = ImageStat.Stat(got, full).mean[0], ImageStat.Stat(got, paper).mean[0]
    halfway = (ref_ink + ref_paper) / 2
    dark = got.point(lambda v: 255 if v < halfway else 0)
    return {
        "ink_error": ink_error,
        "contrast_kept": (got_paper - got_ink) / (ref_paper - ref_ink),
        "dark_strokes": ImageStat.Stat(dark, full).mean[0] / 255,
    }


# Legible means all three (measured with Pillow 13 / libjpeg-turbo 3.2 on the fixture:
# ink_error 11.8, contrast_kept 0.98, dark_strokes 0.997 at 2168×2890). The thresholds sit
# between that and images whose print is visibly degraded at the same size (the controls in
# the test): a 0.7 px Gaussian blur scores 30.6 / 0.74 / 0.98, half the resolution 44 / 0.66
# / 0.87, JPEG quality 25 18.0 / 0.95 / 0.99. An ink error of 16 grey levels is < 10 % of the
# 170-level ink/paper contrast of the page.
MAX_INK_ERROR = 16
MIN_CONTRAST_KEPT = 0.95
MIN_DARK_STROKES = 0.99


def is_legible(scores: dict[str, float]) -> bool:
    return (
        scores["ink_error"] <= MAX_INK_ERROR
        and scores["contrast_kept"] >= MIN_CONTRAST_KEPT
        and scores["dark_strokes"] >= MIN_DARK_STROKES
    )


def test_document_photo_is_compressed_to_300_kb(document_photo, processed_document):
    data, _ = document_photo
    processed = processed_document
    assert 1.8 * 1024 * KB <= len(data) <= 2.6 * 1024 * KB  # the fixture is the ~2 MB photo asked for
    assert processed.size <= 300 * KB
    assert processed.format == "JPEG"
    assert processed.content[:2] == b"\xff\xd8"
    assert processed.original_name == "IMG_20250601_101010.jpg"
    stored = opened(processed.content)
    assert stored.size == (processed.width, processed.height)
    # Resolution: the method never goes below a long side of 1600 px while 1600 px at quality
    # 40 fits; this page keeps 72 % of its long side (2890 of 4000 px). Aspect ratio kept.
    assert max(stored.size) >= 1600
    assert abs(stored.width / stored.height - 3 / 4) < 0.002


def test_document_photo_print_stays_legible(document_photo, processed_document):
    data, ink = document_photo
    processed = processed_document
    result = opened(processed.content)
    reference, masks, box = at_result_size(opened(data), ink, result.size)

    scores = legibility(result.convert("L").crop(box), reference, masks)
    assert is_legible(scores), scores

    # The criterion does tell legible from degraded print at this very size.
    blurred = reference.filter(ImageFilter.GaussianBlur(0.7))
    half = reference.resize((reference.width // 2, reference.height // 2), Image.Resampling.LANCZOS)
    assert not is_legible(legibility(blurred, reference, masks))
    assert not is_legible(legibility(half.resize(reference.size), reference, masks))


def test_downscaling_stops_at_a_long_side_of_1600_when_that_fits(document_photo):
    # Measured on this page at quality 40: 1774 px → 117 KB, 1600 px → 95 KB. With 105 KB
    # allowed the ×0.85 grid would next go to 1508 px; 1600 is a step of its own instead.
    data, _ = document_photo
    processed = process_image(upload(data), target_bytes=105 * KB)
    assert processed.size <= 105 * KB
    assert max(processed.width, processed.height) == 1600


def test_image_fitting_at_lower_quality_keeps_its_resolution():
    photo = noise_photo((1200, 900), sigma=10)
    data = encoded(photo, quality=95)
    assert len(data) > 300 * KB
    processed = process_image(upload(data))
    assert (processed.width, processed.height) == (1200, 900)
    assert processed.size <= 300 * KB


def test_small_image_keeps_its_resolution():
    photo = noise_photo((800, 600), sigma=3)
    data = encoded(photo, quality=80)
    assert len(data) < 300 * KB
    processed = process_image(upload(data))
    assert (processed.width, processed.height) == (800, 600)
    assert processed.format == "JPEG"
    assert processed.size <= 300 * KB
    assert processed.content != data  # re-encoded, never the uploaded bytes


def test_pure_noise_goes_below_1600_px_as_last_resort_and_still_fits():
    photo = noise_photo((2000, 1500), sigma=40)
    processed = process_image(upload(encoded(photo, quality=90)), target_bytes=30 * KB)
    assert processed.size <= 30 * KB
    assert max(processed.width, processed.height) < 1600
    assert abs(processed.width / processed.height - 4 / 3) < 0.02


# --- metadata and orientation ------------------------------------------------------------------


def test_exif_with_gps_xmp_icc_and_comment_is_removed():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif[ExifTags.Base.DateTime] = "2025:06:01 10:10:10"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 51.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (117.0, 16.0, 48.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encoded(
        noise_photo((320, 240), 5), exif=exif.tobytes(), icc_profile=srgb, xmp=xmp, comment="张三 13812345678"
    )
    before = opened(data)
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry a position
    assert {"icc_profile", "xmp", "comment"} <= set(before.info)

    processed = process_image(upload(data))
    after = opened(processed.content)
    assert ExifTags.IFD.GPSInfo not in after.getexif()
    assert len(after.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(after.info)
    assert b"PhoneMaker" not in processed.content and b"13812345678" not in processed.content


def test_exif_orientation_is_applied():
    stored = Image.new("RGB", (200, 100), (220, 0, 0))
    stored.paste((0, 0, 220), (100, 0, 200, 100))  # left half red, right half blue, as stored
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    processed = process_image(upload(encoded(stored, exif=exif.tobytes())))
    assert (processed.width, processed.height) == (100, 200)
    upright = opened(processed.content)
    red, _, blue = upright.getpixel((50, 30))
    assert red > 180 and blue < 60  # the stored left side is now on top
    red, _, blue = upright.getpixel((50, 170))
    assert blue > 180 and red < 60
    assert len(upright.getexif()) == 0  # no orientation tag left to rotate it twice


# --- refused uploads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        ("这不是图片，是一段文字。".encode(), "photo.jpg", "image/jpeg"),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", "证明.png", "image/png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.webp", "image/webp"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["text-as-jpg", "pdf-as-png", "svg-as-webp", "empty"],
)
def test_content_that_is_not_an_image_is_refused_whatever_its_name(data, name, content_type):
    with pytest.raises(DomainError) as caught:
        process_image(upload(data, name=name, content_type=content_type))
    assert caught.value.message == "文件不是有效的图片，仅支持JPG、PNG、WEBP、GIF格式"
    assert caught.value.code == "image_invalid"


def test_real_image_is_accepted_whatever_its_name_and_declared_type():
    data = encoded(noise_photo((60, 40), 5), "PNG")
    processed = process_image(upload(data, name="notes.txt", content_type="text/plain"))
    assert (processed.width, processed.height) == (60, 40)


def test_image_in_a_format_outside_the_list_is_refused():
    bmp = encoded(Image.new("RGB", (20, 20), "white"), "BMP")
    tiff = encoded(Image.new("RGB", (20, 20), "white"), "TIFF")
    assert refused(bmp) == "文件不是有效的图片，仅支持JPG、PNG、WEBP、GIF格式"
    assert refused(tiff) == "文件不是有效的图片，仅支持JPG、PNG、WEBP、GIF格式"


def test_heic_gets_a_hint():
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert refused(heic).startswith("暂不支持HEIC/HEIF格式的图片，请转换为JPG后上传")


def test_truncated_jpeg_is_refused():
    data = encoded(noise_photo((400, 300), 10), quality=90)
    assert refused(data[: len(data) // 2]) == "图片文件已损坏或不完整，请重新上传"


def test_png_with_a_broken_checksum_is_refused():
    data = bytearray(encoded(noise_photo((64, 64), 10), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 20] ^= 0xFF  # flip a byte inside the compressed pixels: the CRC no longer matches
    assert refused(bytes(data)) == "图片文件已损坏或不完整，请重新上传"


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of width×height built row by row (a 20000×20000 one is ~50 KB
    on disk and 400 megapixels once decoded). Written by hand: drawing it with Pillow's mode
    "1" would allocate 400 MB in the test itself."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    rows = (b"\x00" * (1 + (width + 7) // 8)) * 500  # filter byte + packed pixels, 500 rows
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(rows) for _ in range(height // 500)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb_20000():
    return png_bomb(20000, 20000)


def test_pixel_bomb_is_refused_from_its_header_without_decoding(bomb_20000, monkeypatch):
    assert len(bomb_20000) < 100 * KB
    with monkeypatch.context() as unguarded:
        unguarded.setattr(Image, "MAX_IMAGE_PIXELS", None)
        header = Image.open(io.BytesIO(bomb_20000))
        assert (header.format, header.mode, header.size) == ("PNG", "1", (20000, 20000))  # a real PNG

    def no_decoding(self):
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.perf_counter()
    assert refused(bomb_20000) == "图片像素过大，请压缩后再上传"
    assert time.perf_counter() - started < 1  # decoding would take seconds and 400 MB


def test_pillow_bomb_guards_give_the_same_refusal(bomb_20000):
    # Above 2 × Image.MAX_IMAGE_PIXELS Pillow raises DecompressionBombError itself.
    assert refused(bomb_20000, max_pixels=10**9) == "图片像素过大，请压缩后再上传"
    # Between 1× and 2× it only warns: our limit never exceeds its own.
    with pytest.warns(Image.DecompressionBombWarning):
        assert refused(png_bomb(10000, 10000), max_pixels=10**9) == "图片像素过大，请压缩后再上传"


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_bomb_warning_raised_as_an_error_is_the_same_refusal():
    assert refused(png_bomb(10000, 10000), max_pixels=10**9) == "图片像素过大，请压缩后再上传"


def test_image_over_the_pixel_limit_is_refused():
    data = encoded(Image.new("RGB", (101, 100), "white"))
    assert refused(data, max_pixels=100 * 100) == "图片像素过大，请压缩后再上传"


class CountingUpload(io.BytesIO):
    """A file-like upload whose declared size can lie, counting the bytes read."""

    def __init__(self, data: bytes, size: int):
        super().__init__(data)
        self.size, self.name, self.bytes_read = size, "x.jpg", 0

    def read(self, n=-1):
        chunk = super().read(n)
        self.bytes_read += len(chunk)
        return chunk


def test_oversize_upload_is_refused_before_reading():
    big = CountingUpload(b"\xff" * 2048, size=2048)
    with pytest.raises(DomainError) as caught:
        process_image(big, max_bytes_in=1024)
    assert caught.value.message == "图片过大，请上传不超过1KB的图片"
    assert big.bytes_read == 0


def test_upload_lying_about_its_size_is_read_only_up_to_the_limit():
    liar = CountingUpload(b"\xff" * 5000, size=10)
    with pytest.raises(DomainError) as caught:
        process_image(liar, max_bytes_in=1024)
    assert caught.value.message == "图片过大，请上传不超过1KB的图片"
    assert liar.bytes_read == 1025


def test_default_limit_is_15_mb():
    declared_16_mb = CountingUpload(b"", size=16 * 1024 * KB)
    with pytest.raises(DomainError) as caught:
        process_image(declared_16_mb)
    assert caught.value.message == "图片过大，请上传不超过15MB的图片"


# --- accepted formats and modes -------------------------------------------------------------


def test_png_with_transparency_is_flattened_on_white_and_stays_lossless():
    logo = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    logo.paste((10, 20, 30, 255), (16, 16, 48, 48))
    processed = process_image(upload(encoded(logo, "PNG"), name="logo.png", content_type="image/png"))
    assert processed.format == "PNG"  # a small lossless source stays lossless
    assert (processed.width, processed.height) == (64, 64)
    flat = opened(processed.content)
    assert flat.mode == "RGB"
    assert flat.getpixel((0, 0)) == (255, 255, 255)
    assert flat.getpixel((32, 32)) == (10, 20, 30)


def test_palette_gif_keeps_its_first_frame_on_white():
    first = Image.new("P", (40, 40), 0)
    first.putpalette([255, 0, 0, 0, 0, 255])
    first.paste(1, (0, 0, 20, 40))  # left half transparent (index 1), right half red
    second = Image.new("P", (40, 40), 1)
    second.putpalette([255, 0, 0, 0, 0, 255])
    data = encoded(first, "GIF", save_all=True, append_images=[second], transparency=1, duration=100)
    processed = process_image(upload(data, name="a.gif", content_type="image/gif"))
    image = opened(processed.content)
    assert image.getpixel((5, 20)) == (255, 255, 255)
    assert image.getpixel((35, 20)) == (255, 0, 0)


def test_webp_is_accepted_and_stored_as_jpeg():
    data = encoded(noise_photo((300, 200), 5), "WEBP", quality=80)
    processed = process_image(upload(data, name="a.webp", content_type="image/webp"))
    assert processed.format == "JPEG"
    assert (processed.width, processed.height) == (300, 200)


def test_multi_picture_jpeg_from_a_phone_keeps_its_first_picture():
    first, second = Image.new("RGB", (100, 80), (250, 0, 0)), Image.new("RGB", (100, 80), (0, 0, 250))
    processed = process_image(upload(encoded(first, "MPO", save_all=True, append_images=[second])))
    red, _, blue = opened(processed.content).getpixel((50, 40))
    assert red > 240 and blue < 10


def test_cmyk_jpeg_and_16_bit_grey_png_become_rgb():
    cmyk = process_image(upload(encoded(Image.new("CMYK", (50, 50), (0, 0, 0, 0)))))
    assert opened(cmyk.content).getpixel((25, 25)) == (255, 255, 255)
    grey16 = process_image(upload(encoded(Image.new("I;16", (50, 50), 32768), "PNG")))
    assert opened(grey16.content).getpixel((25, 25)) == (128, 128, 128)  # scaled, not clipped to white


def test_screenshot_too_big_as_png_becomes_jpeg():
    data = encoded(noise_photo((900, 700), 20), "PNG")
    assert len(data) > 300 * KB
    processed = process_image(upload(data, name="screenshot.png", content_type="image/png"))
    assert processed.format == "JPEG"
    assert processed.size <= 300 * KB


# --- storage and counting -------------------------------------------------------------------


def test_content_file_has_a_random_name_not_the_users():
    processed = process_image(upload(encoded(noise_photo((100, 80), 5)), name="../../etc/王小明身份证.jpg"))
    assert processed.original_name == "王小明身份证.jpg"  # a label only
    first, second = image_content_file(processed), image_content_file(processed)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", first.name)
    assert first.name != second.name
    assert first.read() == processed.content


def test_a_fifth_image_is_refused():
    assert MAX_IMAGES_PER_ITEM == 4
    check_image_count(0)
    check_image_count(3, 1)
    check_image_count(0, 4)
    with pytest.raises(DomainError) as caught:
        check_image_count(4)
    assert caught.value.message == "最多上传4张图片"
    with pytest.raises(DomainError):
        check_image_count(2, 3)
