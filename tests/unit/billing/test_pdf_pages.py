"""The statement's layout rules (issue 12, point 2) without a service: where the payment stub
goes, page numbers, the addressee's lines, the document metadata, where the remittance address
comes from, the font for names beyond Latin-1 and its fallback. Real reportlab (and the
sandboxed renderer); read back with pypdf, pdftotext and pdffonts."""
import copy
import io
import subprocess

import pypdf

from services.billing import (
    pdf,
    pdf_fonts,
    pdf_pages,
    pdf_sandbox,
    pdf_text,
    pdf_theme,
    queries,
)
from services.runtime import config
from tests.support.statement_detail import DETAIL


def pages(document):
    return [" ".join(page.extract_text().split())
            for page in pypdf.PdfReader(io.BytesIO(document)).pages]


def with_lines(count):
    detail = copy.deepcopy(DETAIL)
    detail["sections"][0]["lines"] = [
        {"description": f"Business Voice line {i + 1}", "quantity": 1, "amount_cents": 2999}
        for i in range(count)]
    return detail


def test_a_stub_that_fits_its_band_stays_on_page_one_and_a_taller_one_does_not():
    assert pdf_pages.stub_band(100) == 100 + pdf_pages.TEAR_SPACE
    limit = pdf_pages.MAX_STUB_BAND - pdf_pages.TEAR_SPACE
    assert pdf_pages.stub_band(limit) == pdf_pages.MAX_STUB_BAND
    assert pdf_pages.stub_band(limit + 1) is None


def test_a_short_statement_is_one_page_with_the_stub_at_its_foot():
    [page] = pages(pdf.render(DETAIL))
    assert page.index("Amount due $123.45") < page.index("Please detach and return this "
                                                          "portion with your payment")
    assert "Make checks payable to BizPortal Business Services" in page
    assert page.endswith("Page 1 of 1")


def test_a_long_statement_keeps_the_stub_on_page_one_and_heads_and_numbers_every_page():
    texts = pages(pdf.render(with_lines(90)))
    assert len(texts) >= 2
    assert "Please detach" in texts[0] and not any("Please detach" in t for t in texts[1:])
    for number, text in enumerate(texts, start=1):
        assert text.endswith(f"Page {number} of {len(texts)}")
    assert "Business Voice line 90" in texts[-1]
    assert all(text.startswith("Harbor Street Dental · Statement of Nov 1, 2026 (continued)")
               for text in texts[1:])
    assert all("Description Qty Amount" in text for text in texts)  # heads repeat


def test_a_stub_too_tall_for_page_one_is_a_page_of_its_own_after_the_statement():
    detail = copy.deepcopy(DETAIL)
    detail["account"]["company_name"] = "HARBOR STREET DENTAL GROUP " * 5
    detail["remittance"] = {"payee": "MEGACORP WORLDWIDE " * 20,
                            "address": "PO BOX 1 MEGACITY " * 20}
    texts = pages(pdf.render(detail))
    assert len(texts) == 2
    assert "Amount due $123.45" in texts[0] and "Please detach" not in texts[0]
    assert texts[1].startswith("HARBOR STREET DENTAL GROUP HARBOR STREET DENTAL GROUP")
    assert "(continued) Please detach and return this portion with your payment" in texts[1]
    assert "Amount enclosed" in texts[1] and texts[1].endswith("Page 2 of 2")


def test_the_addressee_reads_name_attention_street_and_city_state_zip_without_blanks():
    account = {"company_name": "Harbor Street Dental", "contact_name": "Dana Lee",
               "billing_address": {"line1": "220 Harbor Street", "line2": None,
                                   "city": "San Francisco", "state": "CA",
                                   "postal_code": "94111"}}
    assert [line for line in pdf_text.address_lines(account) if line] == [
        "Harbor Street Dental", "Attn: Dana Lee", "220 Harbor Street",
        "San Francisco, CA 94111"]
    assert pdf_text.address_lines({"company_name": "X"})[1:] == ["", "", "", ""]


def test_the_metadata_names_the_statement_and_its_sender_never_the_key_nor_markup():
    detail = copy.deepcopy(DETAIL)
    detail["account"]["company_name"] = "Evil <b>Co</b>\r\n\u202e" + "x" * 500
    meta = pdf_text.metadata(detail, "BizPortal Business Services")
    assert meta["title"].startswith("Statement 26110110000042 for Evil <b>Co</b> xxx")
    assert len(meta["title"]) <= pdf_text.METADATA_CHARS and "\n" not in meta["title"]
    assert meta["author"] == "BizPortal Business Services"
    assert meta["subject"] == "Business statement of Nov 1, 2026 for account 4000000000000002"
    assert all("KX7PQ2MZ" not in value for value in meta.values())
    info = pypdf.PdfReader(io.BytesIO(pdf.render(detail))).metadata
    assert info.title == meta["title"] and info.author == meta["author"]


def test_the_remittance_address_comes_from_the_environment_with_a_default(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path), "REMIT_PAYEE": "Acme Telecom",
                            "REMIT_ADDRESS": "PO Box 9, Omaha, NE 68101"}, generate=False)
    assert queries.remit_to(config.nameko_config("billing", settings)) == {
        "payee": "Acme Telecom", "address": "PO Box 9, Omaha, NE 68101"}
    assert queries.remit_to({}) == {"payee": config.DEFAULT_REMIT_PAYEE,
                                    "address": config.DEFAULT_REMIT_ADDRESS}
    assert config.DEFAULT_REMIT_ADDRESS.startswith("PO Box ")


def test_names_beyond_latin_1_print_in_the_embedded_dejavu_font_even_in_the_sandbox(tmp_path):
    detail = copy.deepcopy(DETAIL)
    detail["account"]["company_name"] = "Ελληνικά Кириллица Łódź Müller €"
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf_sandbox.render(detail))  # the confined child opens no font file
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Ελληνικά Кириллица Łódź Müller €" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all("DejaVuSans" in line and " yes yes " in line for line in fonts)


def test_without_dejavu_the_statement_falls_back_to_the_base_fonts(tmp_path, monkeypatch):
    assert pdf_fonts._register(tmp_path) == pdf_fonts.FALLBACK  # not installed
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"not a font")
    (tmp_path / "DejaVuSans-Bold.ttf").write_bytes(b"not a font")
    assert pdf_fonts._register(tmp_path) == pdf_fonts.FALLBACK  # not a font
    assert pdf_fonts._register() == ("DejaVuSans", "DejaVuSans-Bold")  # this machine has it
    monkeypatch.setattr(pdf_fonts, "BODY", "Helvetica")
    monkeypatch.setattr(pdf_fonts, "BOLD", "Helvetica-Bold")
    pdf_theme.style.cache_clear()  # the styles hold their font
    try:
        document = pdf.render(DETAIL)
    finally:
        pdf_theme.style.cache_clear()
    assert b"DejaVu" not in document and b"/Helvetica-Bold" in document
    assert "Amount due $123.45" in pages(document)[0]


def test_one_line_cells_are_cleaned_and_cut_but_never_escaped_since_never_parsed():
    assert pdf_text.text('<b>Evil</b>\r\n&amp;\u202e', 40) == "<b>Evil</b> &amp;"
    assert len(pdf_text.text("9" * 100, 40)) == 40
    assert pdf_text.plain("<b>") == "&lt;b&gt;"  # paragraphs, which parse, get it escaped


def test_a_closed_accounts_last_bill_is_titled_final_statement():
    [page] = pages(pdf.render(dict(DETAIL, final=True)))
    assert "Final statement" in page and "Business statement" not in page
    [page] = pages(pdf.render(DETAIL))
    assert "Business statement" in page and "Final statement" not in page
