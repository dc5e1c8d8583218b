"""Text the services cannot store is refused at the door: PostgreSQL text holds no NUL
character (U+0000), and a lone UTF-16 surrogate (JSON allows "\\ud800") is not Unicode a
database can encode. Either, anywhere a service would look it up or store it, was a 500
(found by tests/fuzz; the portal's sign-in form too); here it is a 404 in the path (no such
thing can exist) and a 400 naming the field in the query, form or JSON body. In the API the
path is checked before the access check (which looks the account up), the rest after it, so
a caller without the right still gets 401/403/404 whatever they sent (gateway.auth.authorize).
"""
from flask import request

from services.contracts.errors import InvalidInput, NotFound

MESSAGE = "Contains a character we cannot accept (NUL or an unpaired surrogate)."


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


def refuse_in_path():
    if any(_bad(value) for value in (request.view_args or {}).values()):
        raise NotFound("Nothing by that name exists.")


def refuse_in_input():
    errors = {}
    for source, fields in (("query", request.args), ("form", request.form)):
        for name, value in fields.items(multi=True):
            if _bad(name) or _bad(value):
                errors[name if storable(name) else source] = [MESSAGE]
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        errors.update({key if storable(key) else "body": [MESSAGE]
                       for key, value in body.items() if _bad(key) or _bad(value)})
    elif _bad(body):
        errors["body"] = [MESSAGE]
    if errors:
        raise InvalidInput(errors)
