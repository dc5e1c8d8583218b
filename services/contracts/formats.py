"""How dates and times cross a boundary: ISO 8601 text, a time always in UTC with its zone.

``DATE`` and ``DATE_TIME`` are the OpenAPI formats the schemas declare. ``Day`` and
``Timestamp`` are text fields that also take a ``date`` or ``datetime`` when a service dumps
its rows through the contract (``contracts.dump``): a naive time is UTC, as SQLite returns it.
"""
from datetime import date, datetime

from marshmallow import fields

from services.runtime import clock

DATE = {"format": "date"}  # an ISO 8601 date string, as the service sends it
DATE_TIME = {"format": "date-time"}  # ISO 8601 with zone, as the service sends it


class Day(fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


class Timestamp(fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime):
            return clock.iso(value)
        return super()._serialize(value, attr, obj, **kwargs)
