"""The statement's pages: US Letter, margins, where the payment stub goes, and the footer that
numbers every page "Page 1 of 2".

The stub is the bottom of the first page (the customer tears it off along a dashed line and
mails it with the check) whenever its measured height fits the band kept for it there;
otherwise (very long names or a long remittance address) it is a page of its own after the
statement, so it is never cut or squeezed.
"""
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, PageTemplate

from services.billing import pdf_fonts as fonts

WIDTH, HEIGHT = LETTER
MARGIN = 0.7 * inch
TOP = 0.55 * inch
FOOTER = 0.45 * inch          # the page number's baseline sits below the frames
BOTTOM = 0.75 * inch          # every frame ends this high
CONTENT_WIDTH = WIDTH - 2 * MARGIN
TEAR_SPACE = 0.5 * inch       # the dashed line and its words above the stub
MAX_STUB_BAND = 3.6 * inch    # the most of page 1 the stub may take (about a third)
TEAR_TEXT = "Please detach and return this portion with your payment"
HEAD_SIZE = 7.5               # the running head atop pages after the first


def stub_band(stub_height):
    """The height the first page keeps at its bottom for a stub of ``stub_height`` points (the
    stub and the tear line above it), or None when it does not fit there and goes on a page of
    its own."""
    band = stub_height + TEAR_SPACE
    return band if band <= MAX_STUB_BAND else None


def templates(stub, running_head=""):
    """``(page templates, stub on page one)``. When ``stub`` (a flowable) fits its band, the
    first page's frame stops above the band and the stub is drawn in it; else the caller puts
    it on a page of its own. Every other page has the full frame and ``running_head`` (plain
    text: whose statement this is) above it."""
    full = Frame(MARGIN, BOTTOM, CONTENT_WIDTH, HEIGHT - TOP - BOTTOM, id="body",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = PageTemplate(id="later", frames=[full], onPage=partial(_draw_head, running_head))
    band = stub_band(stub.wrap(CONTENT_WIDTH, MAX_STUB_BAND)[1])
    if band is None:
        return [PageTemplate(id="first", frames=[full], autoNextPageTemplate="later"),
                later], False
    first = Frame(MARGIN, BOTTOM + band, CONTENT_WIDTH, HEIGHT - TOP - BOTTOM - band,
                  id="above-stub", leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    return [PageTemplate(id="first", frames=[first], autoNextPageTemplate="later",
                         onPageEnd=partial(_draw_stub, stub, band)), later], True


def tear_line(pdf_canvas, y):
    """The dashed line across the page with the words to detach along it, at height ``y``."""
    pdf_canvas.saveState()
    pdf_canvas.setStrokeColor(colors.grey)
    pdf_canvas.setDash(4, 3)
    pdf_canvas.setFont(fonts.BODY, 7.5)
    words = pdf_canvas.stringWidth(TEAR_TEXT, fonts.BODY, 7.5)
    middle = WIDTH / 2
    pdf_canvas.line(MARGIN / 2, y, middle - words / 2 - 6, y)
    pdf_canvas.line(middle + words / 2 + 6, y, WIDTH - MARGIN / 2, y)
    pdf_canvas.setFillColor(colors.grey)
    pdf_canvas.drawCentredString(middle, y - 2.5, TEAR_TEXT)
    pdf_canvas.restoreState()


def head_fits(text):
    """Whether ``text`` as the running head stays within the margins."""
    return pdfmetrics.stringWidth(text, fonts.BODY, HEAD_SIZE) <= CONTENT_WIDTH


def _draw_head(text, pdf_canvas, _doc):
    pdf_canvas.saveState()
    pdf_canvas.setFont(fonts.BODY, HEAD_SIZE)
    pdf_canvas.setFillColor(colors.grey)
    pdf_canvas.drawString(MARGIN, HEIGHT - TOP / 2, text)  # canvas text: never parsed as markup
    pdf_canvas.restoreState()


def _draw_stub(stub, band, pdf_canvas, _doc):  # after the page's body: it reads last
    tear_line(pdf_canvas, BOTTOM + band - TEAR_SPACE / 2)
    stub.drawOn(pdf_canvas, MARGIN, BOTTOM)


class NumberedCanvas(canvas.Canvas):
    """A canvas that holds each page until the last one is laid out, then writes "Page n of
    N" (and ``footer``, the statement's reference) at the bottom of every page."""

    def __init__(self, *args, footer="", **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held = []

    def showPage(self):
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.setFont(fonts.BODY, 7.5)
            self.setFillColor(colors.grey)
            self.drawString(MARGIN, FOOTER, self._footer)
            self.drawRightString(WIDTH - MARGIN, FOOTER, page_label(number, total))
            super().showPage()
        super().save()


def page_label(number, total):
    return f"Page {number} of {total}"
