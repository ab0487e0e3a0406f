"""Every PDF the platform makes (agreement, résumé, 就业推荐表) is rendered here: WeasyPrint with
the embedded Noto Sans SC subset (pylopdf_fonts_zh_cn), so Chinese renders on a machine that has
no Chinese font.

The font is declared by an `@font-face { font-family: "PlatformSans"; src: url(FONT_URL) }` rule,
in the template (`{{ font_url }}`) or in a style sheet file (the text FONT_URL is replaced).
WeasyPrint applies an @font-face rule of a separate style sheet only when that CSS object and
the rendering share one FontConfiguration: without it the rule is dropped silently and the
system's fonts are used — fine on a machine with Chinese fonts, empty boxes on one without (the
résumé PDF had exactly that bug). Hence one function, not one WeasyPrint call per document."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONT_FAMILY = "PlatformSans"


def platform_font_url() -> str:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path()).resolve().as_uri()


def render_pdf(template: str, context: dict, *, stylesheet: Path | None = None) -> bytes:
    """`template` rendered with `context` (+ `font_url`) to PDF bytes (unsigned); `stylesheet`: a
    CSS file whose FONT_URL placeholder is replaced by the embedded font's address."""
    from PIL import ImageFile
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # weasyprint's import flips it; uploads rely on False
    font_url = platform_font_url()
    fonts = FontConfiguration()
    html = render_to_string(template, {**context, "font_url": font_url})
    stylesheets = []
    if stylesheet is not None:
        css = stylesheet.read_text(encoding="utf-8").replace("FONT_URL", font_url)
        stylesheets.append(CSS(string=css, font_config=fonts))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=stylesheets, font_config=fonts)


def pdf_font_names(data: bytes) -> set[str]:
    """The font families a PDF uses (subset prefix and -Bold/-Italic style suffix removed)."""
    import io

    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get("/Font") or {}
        for ref in fonts.values():
            name = str(ref.get_object().get("/BaseFont", ""))
            names.add(name.split("+", 1)[-1].lstrip("/").split("-", 1)[0])
    return names
