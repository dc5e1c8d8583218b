"""The statement's look: paragraph styles by role and one table helper, ``grid``."""
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Table, TableStyle

from services.billing import pdf_fonts as fonts
from services.billing.pdf_pages import CONTENT_WIDTH

BRAND = colors.HexColor("#1f3a5f")
SHADE = colors.HexColor("#e8eef5")
RULE = colors.HexColor("#9aa7b5")
MUTED = colors.HexColor("#44505c")
LABEL_WIDTH = 1.25 * inch
BLOCK_WIDTH = 3.7 * inch  # "Oct 1, 2026 to Oct 31, 2026" fits one line in bold DejaVu Sans

# role: (bold, size, alignment, colour, space before)
_ROLES = {
    "normal": (False, 9.5, TA_LEFT, colors.black, 0),
    "small": (False, 8, TA_LEFT, colors.HexColor("#44505c"), 0),
    "small_right": (False, 8, TA_RIGHT, colors.HexColor("#44505c"), 0),
    "brand": (True, 17, TA_LEFT, BRAND, 0),
    "title_right": (True, 12, TA_RIGHT, BRAND, 0),
    "addressee": (True, 11, TA_LEFT, colors.black, 0),
    "label": (False, 8.5, TA_LEFT, colors.HexColor("#44505c"), 0),
    "value": (True, 9, TA_LEFT, colors.black, 0),
    "due": (True, 17, TA_LEFT, BRAND, 0),
    "due_date": (True, 13, TA_RIGHT, colors.black, 0),
    "heading": (True, 11, TA_LEFT, BRAND, 10),
    "column": (True, 8, TA_LEFT, colors.HexColor("#44505c"), 0),
    "column_right": (True, 8, TA_RIGHT, colors.HexColor("#44505c"), 0),
    "cell": (False, 9, TA_LEFT, colors.black, 0),
    "cell_bold": (True, 9, TA_LEFT, colors.black, 0),
    "stub_title": (True, 10, TA_LEFT, BRAND, 0),
    "stub_note": (False, 8.5, TA_LEFT, colors.black, 0),
}


@cache
def style(role):
    bold, size, alignment, colour, before = _ROLES[role]
    return ParagraphStyle(role, fontName=fonts.BOLD if bold else fonts.BODY, fontSize=size,
                          leading=round(size * 1.25, 1), alignment=alignment,
                          textColor=colour, spaceBefore=before, keepWithNext=before > 0)


def grid(rows, fractions, *, width=CONTENT_WIDTH, total_last=False, header=False,
         boxed=False, shaded=False, rule_below=None, align_last=True):
    """A table ``width`` wide whose columns take ``fractions`` of it: body font, last column
    right-aligned (``align_last``); optionally a title row and a header row repeated on every
    page, a bold total row above a rule, a box, a shade, a rule under it."""
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=2 if header else 0,
                  hAlign="LEFT")
    commands = [("FONT", (0, 0), (-1, -1), fonts.BODY, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    if align_last:  # amounts (and, in a three-column table, quantities) line up right
        commands.append(("ALIGN", (1 if len(fractions) > 2 else -1, 0), (-1, -1), "RIGHT"))
    if header:  # the first row is the table's title across it, the second its column heads;
        # a page never ends on them alone
        commands += [("SPAN", (0, 0), (-1, 0)), ("LINEBELOW", (0, 1), (-1, 1), 0.5, RULE),
                     ("NOSPLIT", (0, 0), (-1, min(2, len(rows) - 1))),
                     ("TOPPADDING", (0, 0), (-1, 0), 10), ("LEFTPADDING", (0, 0), (-1, 0), 0)]
    if total_last:  # the total stays on the page of the line above it
        commands += [("NOSPLIT", (0, max(0, len(rows) - 2)), (-1, -1)),("FONT", (0, -1), (-1, -1), fonts.BOLD, 9),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE)]
    if boxed:
        commands += [("BOX", (0, 0), (-1, -1), 0.8, RULE), ("BACKGROUND", (0, 0), (-1, -1), SHADE)]
    if shaded:
        commands += [("BACKGROUND", (0, 0), (-1, -1), SHADE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                     ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10)]
    if rule_below is not None:
        commands += [("LINEBELOW", (0, -1), (-1, -1), 1.5, rule_below),
                     ("BOTTOMPADDING", (0, -1), (-1, -1), 8), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    table.setStyle(TableStyle(commands))
    return table


def label_block(rows, width=BLOCK_WIDTH):
    """A shaded, boxed block of ``(label, value)`` rows of short one-line text (pdf_text.text:
    table cells of text are drawn as they are, never parsed as markup, and do not wrap)."""
    label = LABEL_WIDTH / width  # "Amount enclosed" on one line, whatever the block's width
    table = grid([list(row) for row in rows], [label, 1 - label], width=width, boxed=True,
                 align_last=False)
    table.setStyle(TableStyle([("FONT", (0, 0), (0, -1), fonts.BODY, 8.5),
                               ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                               ("FONT", (1, 0), (1, -1), fonts.BOLD, 9)]))
    return table


def beside(left, block):
    """``left`` (paragraphs) with ``block`` (label_block) at the right edge, tops level."""
    right = (sum(block._argW) + 8) / CONTENT_WIDTH  # the cell's padding either side
    return grid([[left, block]], [1 - right, right], align_last=False)
