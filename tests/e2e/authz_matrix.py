"""What the authorisation matrix is made of: the operations of the gateway's OpenAPI documents
(customers' and staff's), who each persona is, what each cell expects, and a plausible request
for each operation.

The operations are read at collection time from the documents the gateway code builds (the
same code gunicorn serves; test_authorization_matrix checks they agree), so a new endpoint
joins the matrix by existing. Who may call an operation comes from the document too: its
``x-required-role`` (public, signed-in, staff, or the least role on the path's account) and
``x-allowed-roles``, emitted from where gateway.auth checks access.
"""
import tempfile
import uuid

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc

METHODS = ("get", "put", "post", "patch", "delete")
TOKEN_PERSONAS = {  # persona -> why its token opens nothing
    "no token": "sends no Authorization header",
    "expired token": "a correctly signed token older than its lifetime",
    "tampered token": "a viewer's token claiming to be the admin, signature unchanged",
    "signed-out session": "the token of a session that signed out",
    "removed user, old token": "the token a user held when an admin removed them",
}
ACCOUNT_PERSONAS = ("another company's admin", "removed user, signed in again")
# one online ID with two accounts (issue 17): a viewer of the path's account who is the admin
# of another one it linked; its admin role there must open nothing here
TWO_ACCOUNTS = "viewer here, admin of its other account"


def gateway_app():
    """The gateway as gunicorn serves it, built in this process (no service is called)."""
    settings = config.load({"DATA_DIR": tempfile.mkdtemp(prefix="authz-doc-"),
                            "ADMIN_TOKEN": "collection-only"})
    return create_app(settings, rpc_client=FakeRpc())


COLLECTION_STAFF = {"Authorization": "Bearer collection-only"}
DOCUMENT_URLS = {"customer": "/api/v1/openapi.json", "staff": "/internal/v1/openapi.json"}


def served_documents():
    """``{"customer": document, "staff": document}`` as the gateway builds them."""
    client = gateway_app().test_client()
    return {name: client.get(url, headers=COLLECTION_STAFF).get_json()
            for name, url in DOCUMENT_URLS.items()}


def operations(documents):
    """``[(METHOD, path, operation)]`` of every operation in ``documents`` (as above)."""
    return [(method.upper(), path, operation) for document in documents.values()
            for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def document_of(documents, path):
    """The document (of ``documents``) that holds ``path``."""
    return next(d for d in documents.values() if path in d["paths"])


def is_write(method):
    return method != "GET"


def cells(documents):
    """``[(method, path, persona, expected status)]``: every cell the matrix checks. Operations
    nobody classified are left out here and refused by their own test."""
    found = []
    for method, path, operation in operations(documents):
        role = operation.get("x-required-role")
        allowed = operation.get("x-allowed-roles", [])
        if role == "staff":
            found += [(method, path, "no token", 401), (method, path, "customer token", 403)]
        elif role == "signed-in":
            found += [(method, path, persona, 401) for persona in TOKEN_PERSONAS]
            if "{" in path:  # about one of the caller's own things: another's is not found
                found += [(method, path, "another company's admin", 404)]
        elif allowed:
            found += [(method, path, persona, 401) for persona in TOKEN_PERSONAS]
            found += [(method, path, persona, 404) for persona in ACCOUNT_PERSONAS]
            if "viewer" not in allowed:
                found += [(method, path, "viewer", 403), (method, path, TWO_ACCOUNTS, 403)]
                if is_write(method):
                    found += [(method, path, "viewer, invalid body", 403)]
            if "billing" not in allowed:
                found += [(method, path, "billing user", 403)]
    return found


# --- plausible requests --------------------------------------------------------------------

HINTS = {  # field name -> a plausible value, where the type alone says too little
    "email": "lee.park@harbor.example", "card_number": "4242424242424242", "cvc": "123",
    "exp_month": 12, "exp_year": 2031, "postal_code": "60611", "routing_number": "011000015",
    "account_number": "000123456789", "role": "admin", "type": "card", "state": "IL",
    "security_code": "1234", "code": "123456", "phone": "+1 (312) 555-0188",
    "amount_cents": 500, "name": "Lee Park", "method": "paperless",
}


def _resolve(schema, document):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema, document, name=""):
    """A value shaped like ``schema``: the body a well-meaning client would send."""
    schema = _resolve(schema, document)
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return example(schema[combined][0], document, name)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    if name in HINTS:
        return HINTS[name]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "object":
        return {key: example(value, document, key)
                for key, value in schema.get("properties", {}).items()
                if not _resolve(value, document).get("readOnly")}
    if kind == "array":
        return [example(schema.get("items", {}), document, name)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return {"date": "2031-01-15", "date-time": "2031-01-15T10:00:00Z",
            "email": HINTS["email"]}.get(schema.get("format"), "plausible")


def request_body(operation, document):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(content["application/json"].get("schema", {}), document)


def headers_for(operation):
    """Required header parameters (an Idempotency-Key where a payment needs one)."""
    return {p["name"]: str(uuid.uuid4()) for p in operation.get("parameters", [])
            if p.get("in") == "header" and p.get("required")}
