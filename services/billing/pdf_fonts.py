"""The statement's typefaces: ``BODY`` and ``BOLD``, reportlab font names.

Helvetica (a base font every PDF reader has) covers Latin-1 only, so names in other scripts
printed as boxes. DejaVu Sans (Debian's fonts-dejavu-core, in the container image) covers
Latin, Greek, Cyrillic, Arabic, Hebrew and many symbols; it is registered, subset and
embedded when present, and Helvetica stays the fallback. The font files are read here, at
import, which the renderer does before any child confines itself (a child may open no font).
"""
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK = ("Helvetica", "Helvetica-Bold")


def _register(folder=DEJAVU):
    """``(body, bold)``: DejaVu Sans from ``folder`` when both files load, else Helvetica."""
    try:
        for name in ("DejaVuSans", "DejaVuSans-Bold"):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    except (OSError, ValueError):  # not installed here, or not a font: the base fonts
        return FALLBACK
    return "DejaVuSans", "DejaVuSans-Bold"


BODY, BOLD = FALLBACK
