"""One way to load a payload with its contract schema, for every service that takes one.

Services load again what the gateway already checked: they trust no caller. Whatever is not
a JSON object loads as an empty one (its required fields are then named as missing), and
marshmallow's field messages become the contract's InvalidInput, unchanged.
"""
from marshmallow import ValidationError

from services.contracts.errors import InvalidInput


def load(schema, payload, *, partial=False, unknown=None):
    """``schema`` (a marshmallow Schema class) loaded from ``payload``; the clean dict.

    Raises InvalidInput whose ``errors`` are marshmallow's messages by field. ``partial`` and
    ``unknown`` are marshmallow's (``unknown=None``: the schema's own setting).
    """
    try:
        return schema().load(payload if isinstance(payload, dict) else {}, partial=partial,
                             unknown=unknown)
    except ValidationError as exc:
        raise InvalidInput(exc.messages) from None
