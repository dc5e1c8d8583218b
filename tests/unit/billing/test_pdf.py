"""The printable statement: what a customer reads on it (text pulled from the PDF's streams)."""
import base64
import re
import zlib

from services.billing import pdf
from tests.support.statement_detail import DETAIL


def texts(document):
    shown = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", document, re.S):
        raw = match.group(1).strip()
        for decode in (lambda r: zlib.decompress(base64.a85decode(r, adobe=True)), zlib.decompress):
            try:
                shown += re.findall(rb"\((.*?)\) Tj", decode(raw))
                break
            except Exception:
                continue
    return [t.decode("latin-1") for t in shown]


def test_the_pdf_shows_the_security_key_next_to_the_account_number_then_the_amount_due():
    document = pdf.render(DETAIL)
    assert document.startswith(b"%PDF")
    shown = texts(document)
    top = shown.index("Account number")
    assert shown[top:top + 4] == ["Account number", "4000000000000002", "Security key", "KX7PQ2MZ"]
    assert shown.index("Amount due $123.45") > top and "Due by Nov 22, 2026" in shown
    assert "Amount enclosed" in shown  # the payment stub
