"""The server-rendered web portal: pages, templates and static assets."""
from flask import Blueprint

from gateway import text_guard
from gateway.web import filters
from services.contracts import support

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
bp.before_request(text_guard.refuse_in_path)   # NUL in a form field was a 500 from PostgreSQL
bp.before_request(text_guard.refuse_in_input)
filters.init_blueprint(bp)

@bp.app_context_processor
def portal_globals():
    return {"support": support.CONTACT}


from gateway.web import (account_pages, accounts_pages, auth_pages, billing_pages,  # noqa: E402,F401
                         fraud_pages, messages_pages, pages, passkey_pages, pay_pages,
                         security_pages, services_pages, usage_alerts_pages,
                         users_pages)  # (route modules)
