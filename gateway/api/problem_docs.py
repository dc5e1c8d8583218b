"""Every operation's error answers in the OpenAPI document, from one place.

Views document what is particular to them (a 409 for a last admin, a 422 for a declined
card); the statuses any operation of a kind can answer are added here, once the document is
built, from what the operation is: 400 when it reads a body or a query, 413 and 415 when it
reads a body (too large; not JSON), 401 when it needs a token, 403 for the staff API and for account actions not every role
may take, 404 when the path names something, 503 always (a service may be down). Every error
answer is an RFC 9457 problem document (application/problem+json, gateway/problems.py);
429 and 503 carry Retry-After. No catch-all ``default`` answer: a status missing here is a
gap the fuzzing tests (tests/fuzz) report.
"""
from services.contracts import roles

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "required": True, "schema": {"type": "integer"}}}
RETRYING = {"429", "503"}

DESCRIPTIONS = {
    "400": "Invalid fields (each named in `errors`), or a body that is not JSON",
    "401": "Not signed in: no token, or an expired, tampered or ended one",
    "403": "Signed in, but not allowed to do this",
    "404": "Not found, or not available to you",
    "413": "The request body is too large",
    "415": "The request body is not application/json",
    "429": "Too many attempts; see Retry-After",
    "503": "A service is unavailable; see Retry-After",
}


def common_statuses(path, method, operation):
    """The error statuses ``operation`` (at ``method`` ``path``) can answer whatever its view
    does."""
    statuses = {"503"}
    reads_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if "requestBody" in operation:
        statuses |= {"400", "413", "415"}
    if reads_query:
        statuses.add("400")
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    role = operation.get("x-required-role")
    if schemes or role not in (None, "public"):
        statuses.add("401")
    if "staff" in schemes or role == "staff" or _some_roles_refused(path, method, operation):
        statuses.add("403")
    if "{" in path:
        statuses.add("404")
    return statuses


def _some_roles_refused(path, method, operation):
    allowed = operation.get("x-allowed-roles")
    if allowed is not None:
        return set(allowed) != set(roles.ACTIONS)
    # not classified (yet): account writes need more than the viewer role
    return "{account_number}" in path and method != "get"


def problem_response(status, response=None):
    """``response`` (as a view documented it, or None) as a problem document answer."""
    if not isinstance(response, dict) or "$ref" in response:
        response = {}
    response = dict(response, description=response.get("description") or DESCRIPTIONS.get(
        status, "Refused"))
    response["content"] = {PROBLEM: {"schema": PROBLEM_SCHEMA}}
    if status in RETRYING:
        response["headers"] = dict(response.get("headers", {}), **RETRY_AFTER)
    return response


def complete(paths):
    """Adds the common error answers to every operation of ``paths`` (the document's paths
    object, changed in place) and makes each error answer a problem document."""
    for path, item in paths.items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = {str(status): answer for status, answer
                         in operation["responses"].items() if status != "default"}
            for status in common_statuses(path, method, operation) - set(responses):
                responses[status] = None
            # in status order: a set's order changes with each process's hash seed, and the
            # document must be the same bytes from every gateway replica
            operation["responses"] = {status: problem_response(status, responses[status])
                                      if int(status) >= 400 else responses[status]
                                      for status in sorted(responses, key=int)}
