"""A statement's two downloads, as the API and the portal answer them: the PDF and the call
history as CSV."""
import base64
from concurrent.futures import ThreadPoolExecutor

from flask import Response, stream_with_context

from gateway.clients import billing

# fetches the next CSV page from billing while the current one is being sent, so billing and
# the client's download overlap; each pool thread keeps its own pooled RPC proxy
_prefetch = ThreadPoolExecutor(max_workers=4, thread_name_prefix="csv-prefetch")


def statement_pdf(account_number, invoice_number):
    """The statement as the customer would print it, shown in the browser."""
    document = base64.b64decode(billing.get_statement_pdf(account_number, invoice_number))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{invoice_number}.pdf"'})


def calls_csv(account_number, invoice_number):
    """The call history of a statement's period as a streamed CSV: page after page from
    billing (the next one fetched while the current one is sent), each written out as it
    arrives, so memory stays flat whatever the size: at most two pages are held. The first
    page is fetched before answering, so an unknown invoice is still a 404."""
    pages = billing.calls_csv_pages(account_number, invoice_number, _prefetch)
    return Response(stream_with_context(pages), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="calls-{invoice_number}.csv"'})
