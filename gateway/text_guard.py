"""Text the services cannot store is refused at the door: PostgreSQL text holds no NUL
character (U+0000), and a lone UTF-16 surrogate (JSON allows "\\ud800") is not Unicode a
database can encode. Either, anywhere a service would look it up or store it, was a 500
(found by tests/fuzz; the portal's sign-in form too); here it is a 404 in the path (no such
thing can exist) and a 400 naming the field in the query, form or JSON body. In the API the
path is checked before the access check (which looks the account up), the rest after it, so
a caller without the right still gets 401/403/404 whatever they sent (gateway.auth.access.authorize).

A JSON body nested deeper than MAX_DEPTH is refused here too (400 on "body"): nothing we take
is more than a few levels deep, and 10,000 levels of [[[…]]] made the JSON parser (or any
walk over the result) raise RecursionError, a 500.
"""
from flask import request

from services.contracts.errors import InvalidInput, NotFound

MESSAGE = "Contains a character we cannot accept (NUL or an unpaired surrogate)."
MAX_DEPTH = 20
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep."


def storable(text):
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad(value):
    """True when ``value`` (JSON: dicts, lists, strings, numbers) holds unstorable text."""
    if isinstance(value, str):
        return not storable(value)
    if isinstance(value, dict):
        return any(_bad(k) or _bad(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad(item) for item in value)
    return False


def _deeper_than(value, limit):
    """True when ``value`` nests lists or objects more than ``limit`` levels (no recursion)."""
    level = [value]
    for _ in range(limit):
        level = [child for item in level if isinstance(item, (list, dict))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, (list, dict)) for item in level)


def _json_body():
    """The parsed JSON body (None when there is none or it is not JSON); InvalidInput when it
    nests too deep to parse or to walk."""
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise InvalidInput({"body": [TOO_DEEP]}) from None
    if _deeper_than(body, MAX_DEPTH):
        raise InvalidInput({"body": [TOO_DEEP]})
    return body


def refuse_in_path():
    if any(_bad(value) for value in (request.view_args or {}).values()):
        raise NotFound("Nothing by that name exists.")


def refuse_in_input():
    errors = {}
    for source, fields in (("query", request.args), ("form", request.form)):
        for name, value in fields.items(multi=True):
            if _bad(name) or _bad(value):
                errors[name if storable(name) else source] = [MESSAGE]
    body = _json_body()
    if isinstance(body, dict):
        errors.update({key if storable(key) else "body": [MESSAGE]
                       for key, value in body.items() if _bad(key) or _bad(value)})
    elif _bad(body):
        errors["body"] = [MESSAGE]
    if errors:
        raise InvalidInput(errors)
