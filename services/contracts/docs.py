"""Print docs/events.md from the event catalogue: ``python -m services.contracts.docs``.

The catalogue in events.py is what the outbox enforces, so the page cannot drift from it;
a unit test checks the committed page equals this output.
"""
from marshmallow import fields

from services.contracts.events import CATALOGUE


def _field(name, field):
    kind = {fields.String: "string", fields.Integer: "integer", fields.Boolean: "boolean",
            fields.Date: "date", fields.List: "list"}.get(type(field), type(field).__name__.lower())
    optional = "" if field.required else ", may be null"
    return f"`{name}` ({kind}{optional})"


def render():
    lines = [
        "# Events BizPortal publishes",
        "",
        "Generated from `services/contracts/events.py` by `make docs`; do not edit by hand.",
        "",
        "Each service publishes on the topic exchange `<service>.events` (durable), routing key",
        "= the event name (`statement_issued`). Subscribe with nameko's",
        "`@event_handler(\"billing\", \"statement_issued\")` or bind your own durable queue to the",
        "exchange with any AMQP client. Every event is also kept in the service's stream",
        "`<service>.events.stream`, which a team can read from the beginning, an offset or a",
        "time without taking events from anyone else (docs/streams.md, and",
        "examples/subscriber.py). Delivery is at least once: use `event_id` to ignore",
        "redeliveries. The same catalogue as an AsyncAPI 3.0 document: docs/asyncapi.json,",
        "served at `/api/v1/asyncapi.json`. Bodies are JSON envelopes:",
        "",
        "```",
        '{"event_id": uuid, "type": "billing.statement_issued", "occurred_at": ISO-8601,',
        ' "source": "billing", "version": 1, "request_id": str|null, "data": {...}}',
        "```",
        "",
        "A change a consumer could trip on publishes `version` 2 alongside 1 for a deprecation",
        "period (docs/streams.md, Versions); adding an optional field is not such a change.",
        "",
        "| event | exchange | when | data |",
        "|---|---|---|---|",
    ]
    for event in CATALOGUE:
        data = ", ".join(_field(n, f) for n, f in event.schema().fields.items())
        lines.append(f"| `{event.type}` | `{event.source}.events` | {event.when} | {data} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
