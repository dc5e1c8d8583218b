"""The statement PDF with hostile data (issue 11, point 1): every value is plain text, a
strange name never breaks the statement, and the render runs in a child process whose memory,
CPU and wall time are bounded and which cannot read a file. Real reportlab, real child
processes; read back with pypdf."""
import copy
import io
import subprocess
import sys

import pypdf
import pytest

from services.billing import pdf, pdf_renderer, pdf_sandbox
from tests.support.statement_detail import DETAIL

STRANGE = [
    '<img src="/etc/passwd" width="500" height="500"/>',
    '<a href="https://evil.example">click</a><link href="https://evil.example">x</link>',
    "<b><i>unclosed <font size=900>", "&amp; &lt;b&gt; &#0; &bogus;",
    "\u202eRTL override \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd "
    "\U0001f600\U0001f469\u200d\U0001f4bb \u6f22\u5b57",
    "line\r\nbreak\ttab\x0bvt", "W" * 10_000, "word " * 2_000,
]


def statement(text):
    detail = copy.deepcopy(DETAIL)
    detail["account"]["company_name"] = text
    detail["account"]["contact_name"] = text
    detail["account"]["billing_address"].update(line1=text, line2=text, city=text)
    detail["sections"][0]["name"] = text
    detail["sections"][0]["lines"][0]["description"] = text
    detail["changes"] = {"previous_invoice_number": text, "previous_total_cents": 100,
                         "total_cents": 200, "change_cents": 100, "reasons": [
                             {"kind": "credit", "section": "adjustments", "change_cents": 100,
                              "description": f"Credits ({text}): +$1.00"}]}
    return detail


def read(document):
    reader = pypdf.PdfReader(io.BytesIO(document))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def assert_no_link_or_image(reader):
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert "/URI" not in (annotation.get_object().get("/A") or {})
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]


@pytest.mark.parametrize("text", STRANGE, ids=range(len(STRANGE)))
def test_a_strange_value_everywhere_is_a_statement_that_shows_it_as_text(text):
    reader, shown = read(pdf.render(statement(text)))
    assert_no_link_or_image(reader)
    assert "Amount due $123.45" in shown and "Amount enclosed" in shown
    if text.startswith("<"):
        assert " ".join(text.split())[:40] in shown


def test_markup_reaches_reportlab_escaped_and_cut_to_a_printable_length():
    assert pdf.plain('<img src="/etc/passwd"/>') == "&lt;img src=&quot;/etc/passwd&quot;/&gt;"
    assert pdf.plain("a\r\nb\u202ec\x00d") == "a b c d"
    assert len(pdf.plain("x" * 10_000)) == pdf.PRINTED_CHARS
    assert pdf.plain(None) == ""


def test_the_sandboxed_render_is_the_same_statement():
    reader, shown = read(pdf_sandbox.render(statement('<img src="/etc/passwd"/>')))
    assert_no_link_or_image(reader)
    assert '<img src="/etc/passwd"/>' in shown and "root:x:0" not in shown


def absurd():
    detail = copy.deepcopy(DETAIL)
    detail["sections"][0]["lines"] = detail["sections"][0]["lines"] * 200_000
    return detail


def test_a_statement_with_an_absurd_number_of_lines_fails_alone_with_a_clear_error(caplog):
    with pytest.raises(pdf_sandbox.RenderFailed, match="26110110000042 could not be made"):
        pdf_sandbox.render(absurd(), pdf_sandbox.Budget(cpu_seconds=2, wall_seconds=30))
    assert "26110110000042 PDF not rendered" in caplog.text
    assert pdf_sandbox.render(DETAIL).startswith(b"%PDF")  # the next statement renders


@pytest.mark.parametrize("budget, reason", [
    (pdf_sandbox.Budget(memory_bytes=96 * 2**20), "more than 96 MB"),
    (pdf_sandbox.Budget(wall_seconds=0.05), "longer than 0.05 s"),
    (pdf_sandbox.Budget(cpu_seconds=1), "CPU limit 1 s"),
], ids=["memory", "wall clock", "cpu"])
def test_a_render_over_its_budget_is_stopped_and_says_why(budget, reason):
    with pytest.raises(pdf_sandbox.RenderFailed, match=reason):
        pdf_sandbox.render(absurd(), budget)
    assert pdf_sandbox.render(DETAIL).startswith(b"%PDF")  # the next one is not held up


def test_the_renderer_may_not_open_a_data_file_a_socket_or_a_process():
    probe = ("from services.billing import pdf_renderer; pdf_renderer.confine()\n"
             "import socket\n"
             "for attempt in (lambda: open('/etc/passwd', 'rb'),\n"
             "                lambda: socket.create_connection(('127.0.0.1', 9)),\n"
             "                lambda: __import__('os').system('true')):\n"
             "    try:\n"
             "        attempt(); print('allowed')\n"
             "    except PermissionError:\n"
             "        print('refused')\n"
             "import reportlab.graphics.barcode  # code still loads\n"
             "print('code ok')\n")
    result = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True,
                            text=True, cwd=pdf_renderer.ROOT, timeout=60)
    assert result.stdout.split() == ["refused", "refused", "refused", "code", "ok"], \
        result.stderr


def test_renders_beyond_the_concurrent_limit_wait_then_fail_within_their_budget():
    taken = [pdf_sandbox._slots.acquire(timeout=5) for _ in range(pdf_sandbox.CONCURRENT_RENDERS)]
    try:
        assert all(taken)
        with pytest.raises(pdf_sandbox.RenderFailed, match="other PDFs were being made"):
            pdf_sandbox.render(DETAIL, pdf_sandbox.Budget(wall_seconds=0.2))
    finally:
        for _ in taken:
            pdf_sandbox._slots.release()
    assert pdf_sandbox.render(DETAIL).startswith(b"%PDF")
