"""Errors as RFC 9457 problem documents: the one table from domain errors to HTTP statuses."""
import logging

from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from gateway.rpc import ServiceUnavailable
from services.contracts import errors

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://bizportal.example/problems/"

# domain error -> (status, problem slug, title)
STATUS = {
    errors.InvalidInput: (400, "invalid-input", "Your request has invalid fields"),
    errors.Unauthenticated: (401, "unauthenticated", "Sign-in required"),
    errors.NotAllowed: (403, "forbidden", "Not allowed"),
    errors.NotFound: (404, "not-found", "Not found"),
    errors.Conflict: (409, "conflict", "Conflict"),
    errors.Refused: (422, "refused", "Request refused"),
    errors.Throttled: (429, "throttled", "Too many attempts"),
    errors.Unavailable: (503, "service-unavailable", "Service unavailable"),
}


JSON_PREFIXES = ("/api/", "/internal/", "/readyz", "/healthz", "/metrics")


def _wants_html():
    """Browsers on portal pages get an HTML error page; everyone else a problem document."""
    return (not request.path.startswith(JSON_PREFIXES)
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")


def problem(status, title, detail=None, slug=None, errors_=None, headers=None, **extra):
    """A problem+json response (an HTML page for a browser on a portal page)."""
    if _wants_html():
        response = current_app.make_response((render_template(
            "error.html", title=title, detail=detail or title,
            request_id=getattr(g, "request_id", None)), status))
        for key, value in (headers or {}).items():
            response.headers[key] = str(value)
        return response
    body = {"type": PROBLEM_BASE + slug if slug else "about:blank", "title": title,
            "status": status, "detail": detail or title}
    if errors_ is not None:
        body["errors"] = errors_
    body.update(extra)
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = str(value)
    return response


def from_domain_error(exc):
    for cls in type(exc).__mro__:
        if cls in STATUS:
            status, slug, title = STATUS[cls]
            break
    else:
        status, slug, title = 400, "bad-request", "Bad request"
    headers = ({"Retry-After": exc.retry_after} if isinstance(exc, errors.Throttled)
               else {"Retry-After": 5} if isinstance(exc, errors.Unavailable) else None)
    errors_ = exc.errors if isinstance(exc, errors.InvalidInput) else None
    return problem(status, title, exc.detail, slug, errors_=errors_, headers=headers)


def from_http_exception(exc):
    """werkzeug's 4xx (404, 405, 413, malformed JSON) and webargs' validation errors."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs nests messages by location ({"json": {...}}); callers want the fields
        fields = {}
        for location_messages in messages.values():
            if isinstance(location_messages, dict):
                fields.update(location_messages)
            else:  # the body as a whole: not JSON, not an object
                return problem(400, "Malformed request", "The request body is not valid JSON.",
                               "malformed", errors_={"body": list(location_messages)})
        return problem(400, "Your request has invalid fields", "The request has invalid fields.",
                       "invalid-input", errors_=fields)
    headers = {}
    if exc.code == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(exc.code or 500, exc.name, exc.description, headers=headers)


def from_unavailable(exc):
    return problem(503, "Service unavailable", f"{exc} Please try again shortly.",
                   "service-unavailable", headers={"Retry-After": exc.retry_after},
                   service=exc.service)


def from_unexpected(exc):
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "Internal error",
                   "Something went wrong on our side. Quote the request id to support.",
                   "internal")


def init_app(app):
    app.register_error_handler(errors.DomainError, from_domain_error)
    app.register_error_handler(ServiceUnavailable, from_unavailable)
    app.register_error_handler(HTTPException, from_http_exception)
    app.register_error_handler(Exception, from_unexpected)
