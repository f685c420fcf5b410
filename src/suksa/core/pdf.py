"""HTML to PDF with the shipped Thai font (WeasyPrint; Pango shapes Thai and breaks lines with
libthai, so lines break between words and tone marks stack on their base).

Fonts: Sarabun Regular and Bold (SIL Open Font License 1.1, ``core/fonts/OFL.txt``), the
official-style Thai typeface, shipped with the code so that a PDF looks the same on every machine
and nothing is downloaded. Templates use ``font-family: Sarabun`` (:func:`font_css` declares it).

The text layer is what ``pdftotext`` reads back: tests extract it and compare it with the text
written. Keep Thai text in plain flowing elements (no letter-spacing, no justification: both split
clusters in the text layer).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Sarabun"
FONTS = {"normal": FONT_DIR / "Sarabun-Regular.ttf", "bold": FONT_DIR / "Sarabun-Bold.ttf"}


def font_css() -> str:
    """``@font-face`` rules for the shipped Sarabun (regular and bold)."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: normal; '
        f'src: url("{path.as_uri()}") format("truetype"); }}'
        for weight, path in (("normal", FONTS["normal"]), ("bold", FONTS["bold"]))
    ]
    return "\n".join(rules)


BASE_CSS = """
@page { size: A4; margin: 2.2cm 2cm 2cm 2.5cm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 10pt; } }
html { font-family: "Sarabun", sans-serif; font-size: 14pt; line-height: 1.5; }
body { margin: 0; }
h1 { font-size: 20pt; font-weight: bold; margin: 0 0 0.3em; }
h2 { font-size: 16pt; font-weight: bold; margin: 1em 0 0.3em; }
p, li { text-align: left; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; }
th, td { border: 0.5pt solid #666; padding: 2pt 4pt; vertical-align: top; text-align: left; }
"""


@lru_cache(maxsize=1)
def _font_config() -> object:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str, *, base_url: str | None = None, extra_css: str = "") -> bytes:
    """The PDF of ``html`` with the shipped Thai font and the base page style."""
    from weasyprint import CSS, HTML

    font_config = _font_config()
    stylesheets = [CSS(string=font_css() + BASE_CSS + extra_css, font_config=font_config)]
    document = HTML(string=html, base_url=base_url or str(FONT_DIR))
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=font_config)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint wrote no PDF")
    return bytes(pdf)
