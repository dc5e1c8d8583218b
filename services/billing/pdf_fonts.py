"""The statement's typefaces: ``BODY`` and ``BOLD``, reportlab font names.

Helvetica (a base font every PDF reader has) covers Latin-1 only, so names in other scripts
printed as boxes. DejaVu Sans (Debian's fonts-dejavu-core, in the container image) covers
Latin, Greek, Cyrillic, Arabic, Hebrew and many symbols; it is registered, subset and
embedded when present, and Helvetica stays the fallback. The font files are read here, at
import, which the renderer does before any child confines itself (a child may open no font).
"""
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK = ("Helvetica", "Helvetica-Bold")


def _register(folder=DEJAVU):
    """``(body, bold)``: DejaVu Sans from ``folder`` when both files load as fonts, else
    Helvetica (nothing registered)."""
    names = ("DejaVuSans", "DejaVuSans-Bold")
    try:
        faces = [TTFont(name, str(folder / f"{name}.ttf")) for name in names]
    except (OSError, TTFError):  # not installed here, or not a font: the base fonts
        return FALLBACK
    for face in faces:
        pdfmetrics.registerFont(face)
    return names


BODY, BOLD = _register()
