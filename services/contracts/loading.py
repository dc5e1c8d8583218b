"""One way to load a payload with its contract schema, and one to dump a reply through it.

Services load again what the gateway already checked: they trust no caller. Whatever is not
a JSON object loads as an empty one (its required fields are then named as missing), and
marshmallow's field messages become the contract's InvalidInput, unchanged.
"""
from marshmallow import ValidationError

from services.contracts.errors import InvalidInput


def dump(schema, source, **values):
    """``source`` (a row or a dict, read by field name) as ``schema`` (a Schema class) shows it:
    only the contract's fields leave the service, in the contract's formats. ``values`` give
    or replace fields the row does not hold under the contract's name."""
    return schema().dump(_Overlay(source, values) if values else source)


class _Overlay:
    def __init__(self, source, values):
        self._source, self._values = source, values

    def __getattr__(self, name):
        if name in self._values:
            return self._values[name]
        source = self._source
        return source[name] if isinstance(source, dict) else getattr(source, name)


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
