"""Billing's RPCs as the gateway uses them: accounts and their profile, statements and their
documents, activity, and the staff's catalogue, accounts, usage and bill runs. ``actor`` is
services.contracts.actor's ``{user_id, ip, user_agent}`` (gateway.actors), which billing
puts on its events for the audit trail."""
from gateway.rpc import call, detached

DOCUMENT_TIMEOUT = 30  # a statement's PDF, or a page of its calls as CSV, is rendered on demand
USAGE_TIMEOUT = 120  # a 50,000-call batch is one transaction; give it time
BILL_RUN_TIMEOUT = 600  # a whole cycle; for very large ones use `make bill-run`

# -- accounts ----------------------------------------------------------------------------------


def get_account_summary(account_number):
    return call("billing", "get_account_summary", account_number)


def get_company_names(account_numbers):
    """``{account_number: company_name}``."""
    return call("billing", "get_company_names", account_numbers)


def get_account_summaries(account_numbers):
    """``{account_number: {account_number, company_name, amount_due_cents, currency,
    due_date}}`` for a whole list of accounts in one call."""
    return call("billing", "get_account_summaries", account_numbers)


def get_profile(account_number):
    return call("billing", "get_profile", account_number)


def update_profile(account_number, changes, actor):
    return call("billing", "update_profile", account_number, changes, actor=actor)


def get_invoice_delivery(account_number):
    """``{method, email, pending_email}``."""
    return call("billing", "get_invoice_delivery", account_number)


def set_invoice_delivery(account_number, body, actor):
    return call("billing", "set_invoice_delivery", account_number, body, actor=actor)


def confirm_invoice_email(token, actor):
    return call("billing", "confirm_invoice_email", token, actor=actor)


# -- statements and activity -------------------------------------------------------------------


def list_statements(account_number, limit, cursor=None):
    """``{items, next_cursor}``, newest first."""
    return call("billing", "list_statements", account_number, limit, cursor)


def get_statement(account_number, invoice_number):
    return call("billing", "get_statement", account_number, invoice_number)


def get_current_usage(account_number):
    """The month so far: the next statement as the bill run would issue it now."""
    return call("billing", "get_current_usage", account_number)


def get_statement_changes(account_number, invoice_number):
    """Why the statement's total differs from the previous one's."""
    return call("billing", "get_statement_changes", account_number, invoice_number)


def get_statement_calls(account_number, invoice_number, limit):
    return call("billing", "get_statement_calls", account_number, invoice_number, limit)


def get_statement_pdf(account_number, invoice_number):
    """The PDF, base64-encoded."""
    return call("billing", "get_statement_pdf", account_number, invoice_number,
                timeout=DOCUMENT_TIMEOUT)


def calls_csv_pages(account_number, invoice_number, prefetch):
    """The CSV text of a statement period's calls, page after page. The first page is fetched
    now (an unknown invoice raises here, before any answer starts); each next one through
    ``prefetch`` (an executor) while the current one is being sent, so at most two are held."""
    fetch = detached("billing", "get_calls_csv_page", account_number, invoice_number,
                     timeout=DOCUMENT_TIMEOUT)
    first = fetch(None)

    def pages(page):
        while True:
            ahead = prefetch.submit(fetch, page["cursor"]) if page["cursor"] else None
            yield page["csv"]
            if ahead is None:
                return
            page = ahead.result()

    return pages(first)


def get_activity(account_number, limit=200):
    """``{items}``: the ledger, newest first, with the balance after each entry."""
    return call("billing", "get_activity", account_number, limit)


# -- staff -------------------------------------------------------------------------------------


def list_products():
    return call("billing", "list_products")


def open_account(body):
    return call("billing", "open_account", body)


def search_accounts(q, limit, cursor=None):
    """``{items: [{account_number, company_name, email, phone, status, balance_cents}],
    next_cursor}``."""
    return call("billing", "search_accounts", q, limit, cursor)


def get_account_overview(account_number):
    """Billing's part of the staff overview (gateway.clients.accounts.staff_overview)."""
    return call("billing", "get_account_overview", account_number)


def reissue_security_key(account_number):
    return call("billing", "reissue_security_key", account_number)


def load_usage(account_number, body):
    return call("billing", "load_usage", account_number, body, timeout=USAGE_TIMEOUT)


def issue_statements(body):
    return call("billing", "issue_statements", body, timeout=BILL_RUN_TIMEOUT)


def run_collections(body):
    """``{run_date, account_numbers?}`` → ``{reminders_sent, suspended, restored}``."""
    return call("billing", "run_collections", body, timeout=BILL_RUN_TIMEOUT)


def issue_credit(account_number, body, idempotency_key, actor):
    """The credit note (services.contracts.credits.CreditNote); the first one again for a
    retried key."""
    return call("billing", "issue_credit", account_number, body, idempotency_key, actor=actor)


def close_account(account_number, body, idempotency_key, actor):
    """The closure (services.contracts.closure.Closure); the first one again for a retry."""
    return call("billing", "close_account", account_number, body, idempotency_key, actor=actor)


# -- disputes ----------------------------------------------------------------------------------


def open_dispute(account_number, invoice_number, body, actor):
    return call("billing", "open_dispute", account_number, invoice_number, body, actor=actor)


def list_disputes(account_number, limit=20, cursor=None, invoice_number=None):
    """``{items, next_cursor}``: the account's disputes, newest first."""
    return call("billing", "list_disputes", account_number, limit, cursor, invoice_number)


def list_all_disputes(status=None, limit=20, cursor=None):
    """Staff: ``{items, next_cursor}`` over every account."""
    return call("billing", "list_all_disputes", status, limit, cursor)


def resolve_dispute(dispute_id, body, actor):
    return call("billing", "resolve_dispute", dispute_id, body, actor=actor)


# -- an account's services (customers and staff) -------------------------------------------


def get_account_services(account_number):
    """``{account_number, items, monthly_cents, currency, self_service_products,
    next_statement_date}``."""
    return call("billing", "get_account_services", account_number)


def change_account_services(account_number, body, self_service=False, actor=None):
    """A service change or its preview (contracts.billing.ServiceChangeResult);
    ``self_service`` when an account's admin asks."""
    return call("billing", "change_account_services", account_number, body,
                self_service=self_service, actor=actor)


# -- usage alerts ------------------------------------------------------------------------------


def get_usage_alerts(account_number):
    """``{thresholds_cents, bill_shock}``."""
    return call("billing", "get_usage_alerts", account_number)


def set_usage_alerts(account_number, body, actor):
    return call("billing", "set_usage_alerts", account_number, body, actor=actor)


# -- the toll-fraud guard ----------------------------------------------------------------------


def list_fraud_alerts(account_number, status=None, limit=20, cursor=None):
    """``{items, next_cursor}``: the account's fraud alerts, newest first."""
    return call("billing", "list_fraud_alerts", account_number, status, limit, cursor)


def mark_fraud_alert_expected(account_number, case_id, actor):
    return call("billing", "mark_fraud_alert_expected", account_number, case_id, actor=actor)


def get_international_calling(account_number):
    """``{account_number, blocked, changed_at}``."""
    return call("billing", "get_international_calling", account_number)


def set_international_calling(account_number, blocked, actor):
    return call("billing", "set_international_calling", account_number, blocked, actor=actor)


def list_fraud_cases(status=None, limit=20, cursor=None):
    """Staff: every account's fraud cases, newest first."""
    return call("billing", "list_fraud_cases", status, limit, cursor)
