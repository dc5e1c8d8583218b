"""The print batch: paper invoices as PDFs under DATA_DIR/print-batch/<statement date>/, the
folder a mail house collects. Writing is idempotent: a redelivered event finds the file there
(written to a temporary name, then renamed, so the mail house never picks up half a PDF).
A statement whose PDF cannot be made (pdf_sandbox.RenderFailed) writes nothing and raises:
its event is retried, then parked for replay; other statements' events go on."""
import os
from pathlib import Path

from services.billing import pdf_sandbox


def path_for(data_dir, statement_date, invoice_number):
    return Path(data_dir) / "print-batch" / str(statement_date) / f"{invoice_number}.pdf"


def add(data_dir, detail):
    """Writes ``detail``'s statement PDF into the batch unless it is there; returns the path."""
    target = path_for(data_dir, detail["statement_date"], detail["invoice_number"])
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".pdf.{os.getpid()}.tmp")
    document = pdf_sandbox.render(detail)  # before the temporary file: nothing left behind
    partial.write_bytes(document)
    os.replace(partial, target)
    return target
