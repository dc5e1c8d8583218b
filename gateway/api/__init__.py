"""The OpenAPI-documented JSON APIs, via flask-smorest: public /api/v1 (document at
/api/v1/openapi.json, browsable at /docs) and staff /internal/v1 (its own document at
/internal/v1/openapi.json, served only with the ADMIN_TOKEN).

Request bodies are validated by the contract schemas before any RPC; a malformed body is a
400 problem document naming each field (webargs' default is 422; the contract says 400).
"""
from flask import render_template, url_for
from flask_smorest import Api, Blueprint
from marshmallow import INCLUDE, Schema, fields
from webargs.flaskparser import FlaskParser

from gateway import text_guard
from gateway.api import documents, problem_docs
from gateway.auth.access import PUBLIC, STAFF, access_of, authorize, required_role
from services.contracts import roles

BEARER_SCHEME, STAFF_SCHEME = "bearer", "staff"  # the security schemes of the two documents


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose views are checked for access before anything else
    (gateway.auth.access.authorize) and documented with it: each operation carries
    ``x-required-role`` (public, signed-in, staff, or the least role on the path's account)
    and, for account roles, ``x-allowed-roles``, and its ``security`` follows from the same
    access (``security_of``). A view nobody classified (no auth decorator, no blueprint
    ``access``) has neither, which the authorisation matrix test refuses. Every view names its
    ``operationId`` (a view without one is refused at import).

    ``access`` is the blueprint's default for views without an auth decorator of their own;
    ``signed_out`` describes the 401 of every view that needs a signed-in caller; ``tag``
    documents the operations under another blueprint's tag (that one describes it)."""
    ARGUMENTS_PARSER = _Parser()

    def __init__(self, *args, access=None, signed_out=None, tag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_access = access
        self.signed_out = signed_out
        self.tag = tag
        self.before_request(text_guard.refuse_in_path)
        self.before_request(authorize)
        self.before_request(text_guard.refuse_in_input)

    def route(self, rule, *, parameters=None, tags=None, **options):
        if tags is None and self.tag:
            tags = [self.tag]
        register = super().route(rule, parameters=parameters, tags=tags, **options)

        def decorator(func):
            if not getattr(func, "_apidoc", {}).get("manual_doc", {}).get("operationId"):
                # generated clients name their methods after it: chosen, never derived
                raise TypeError(f"{func.__name__}: give it @bp.doc(operationId=...)")
            access = access_of(func) or self.default_access
            view = func
            if access is not None:
                func.access = access
                if self.signed_out and access[0] != PUBLIC and 401 not in _answers(view):
                    view = self.alt_response(401, description=self.signed_out)(view)
                view = self.doc(**access_doc(access))(_with_security(view, access))
            register(view)
            return func
        return decorator


def _answers(view):
    return getattr(view, "_apidoc", {}).get("response", {}).get("responses", {})


def security_of(access):
    """The OpenAPI security requirement of a view with ``access``."""
    scope = access[0]
    return [] if scope == PUBLIC else [{STAFF_SCHEME if scope == STAFF else BEARER_SCHEME: []}]


def _with_security(view, access):
    """``view`` documented with ``security_of(access)`` unless it names its own, placed just
    after its operationId (where the views wrote it, so the document keeps its bytes)."""
    manual = view._apidoc["manual_doc"]
    if "security" not in manual:
        entries = list(manual.items())
        at = list(manual).index("operationId") + 1
        view._apidoc["manual_doc"] = dict(
            entries[:at] + [("security", security_of(access))] + entries[at:])
    return view


def access_doc(access):
    """The OpenAPI extensions saying who may call an operation."""
    role = required_role(access)
    doc = {"x-required-role": role}
    if role in roles.ACTIONS:
        doc["x-allowed-roles"] = [r for r in roles.ACTIONS if roles.allows(r, access[1])]
    return doc


class Problem(Schema):
    """RFC 9457 problem document (which allows extension members: documented as open)."""
    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "field -> messages, on validation failures"})
    request_id = fields.String()
    service = fields.String(metadata={"description": "on a 503: the service that did not answer"})


class BizPortalApi(Api):
    ERROR_SCHEMA = Problem
    DEFAULT_ERROR_RESPONSE_NAME = None  # each error status is listed (gateway.api.problem_docs)

    def register_blueprint(self, blp, **options):
        super().register_blueprint(blp, **options)
        if getattr(blp, "tag", None):
            self.spec._tags.pop()  # its operations are under another blueprint's tag

    def _openapi_swagger_ui(self):
        """/docs: flask-smorest's page starts Swagger UI with an inline script, which the
        Content-Security-Policy forbids; this one loads it from static files, at fingerprinted
        URLs (gateway/web/assets.py) so a repeat visit downloads none of Swagger UI again."""
        return render_template(
            "api_docs.html", title=self.spec.title,
            spec_url=url_for(f"{self._make_doc_blueprint_name()}.openapi_json"))


class StaffApi(BizPortalApi):
    """The staff API's own document (/internal/v1/openapi.json): what staff tools may call
    is no business of a customer's client, so it is served only with the ADMIN_TOKEN."""

    def _openapi_json(self):
        authorize()  # the one access check, reading the ``access`` this view carries
        return super()._openapi_json()
    _openapi_json.access = (STAFF, None)


CUSTOMER_CONFIG = {  # flask-smorest's settings, un-prefixed: the customer document and /docs
    "API_TITLE": "BizPortal API", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/", "OPENAPI_JSON_PATH": "api/v1/openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs", "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
}
STAFF_CONFIG = {  # prefixed STAFF_: the staff document, no docs page
    "API_TITLE": "BizPortal staff API", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/internal/v1", "OPENAPI_JSON_PATH": "openapi.json",
}


def init_app(app, public, staff):
    """Registers the ``public`` blueprints in the customer document and the ``staff`` ones
    in the staff document; returns the two flask-smorest Apis."""
    app.config.update(CUSTOMER_CONFIG)
    app.config.update({f"STAFF_{key}": value for key, value in STAFF_CONFIG.items()})
    customer = _document(BizPortalApi, app, "", public, BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "An access token from /api/v1/auth/login"},
        "The online account portal of BizPortal business services: sign-up and sign-in, "
        "accounts, statements, payments, users and security settings.")
    staff_api = _document(StaffApi, app, "STAFF_", staff, STAFF_SCHEME, {
        "type": "http", "scheme": "bearer", "description": "The ADMIN_TOKEN"},
        "Operations staff: finding and opening accounts, an account's overview, changing "
        "its services, loading "
        "usage, bill, payment and reminder runs, dead letters. Every operation needs the "
        "ADMIN_TOKEN.")
    return customer, staff_api


def _document(api_class, app, prefix, blueprints, scheme, security_scheme, description):
    api = api_class(app, config_prefix=prefix, spec_kwargs={
        "info": {"description": description},
        "servers": documents.servers(app.config["PUBLIC_URL"])})
    api.ma_plugin.converter.add_attribute_function(documents.nullable_ref)
    api.spec.components.security_scheme(scheme, security_scheme)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    problem_docs.complete(api.spec._paths)  # apispec keeps no public handle on its paths
    documents.prune(api.spec)
    return api
