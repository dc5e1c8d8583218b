"""Print docs/asyncapi.json, the AsyncAPI 3.0 document of every event BizPortal publishes:
``python -m services.contracts.asyncapi`` (``make docs``; the gateway serves the committed
file at /api/v1/asyncapi.json).

Generated from the catalogue (events.py), like docs/events.md: for each event its payload
schema, its exchange and routing key, and an example; for each service its stream. A test
checks the committed file equals this output, another validates it with the AsyncAPI parser.
"""
import json

from marshmallow import fields, validate

from services.contracts import event_examples
from services.contracts.events import CATALOGUE, ENVELOPE_VERSION
from services.contracts.names import SERVICES

AMQP_BINDING = "0.3.0"
KINDS = {fields.String: {"type": "string"}, fields.Integer: {"type": "integer"},
         fields.Boolean: {"type": "boolean"}, fields.Date: {"type": "string", "format": "date"},
         fields.Dict: {"type": "object"}}


def field_schema(field):
    """The JSON Schema of one marshmallow field of an event payload."""
    if isinstance(field, fields.List):
        schema = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Nested):  # an object of its own (services_changed's changes)
        inner = field.schema.fields
        schema = {"type": "object",
                  "properties": {name: field_schema(f) for name, f in inner.items()},
                  "required": [name for name, f in inner.items() if f.required]}
    else:
        schema = dict(KINDS[type(field)])
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            schema["enum"] = list(rule.choices)
    if field.allow_none:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"].append(None)
    return schema


def data_schema(event):
    """The JSON Schema of ``event``'s ``data``. Open to new fields: adding one is not a
    breaking change (events.py, "Versions")."""
    declared = event.schema().fields
    return {"type": "object", "description": event.when,
            "properties": {name: field_schema(f) for name, f in declared.items()},
            "required": [name for name, f in declared.items() if f.required]}


def _key(event):
    """The id of one version of an event: ``billing.statement_issued.v1``."""
    return f"{event.source}.{event.base_name}.v{event.version}"


def _message(event):
    return {
        "name": event.type,
        "title": event.type,
        "summary": event.when,
        "contentType": "application/json",
        "payload": {
            "type": "object",
            "required": ["event_id", "type", "occurred_at", "source", "version", "data"],
            "properties": {
                "event_id": {"type": "string", "format": "uuid",
                             "description": "unique per fact: ignore one already seen"},
                "type": {"const": event.type},
                "occurred_at": {"type": "string", "format": "date-time"},
                "source": {"const": event.source},
                "version": {"const": event.version},
                "request_id": {"type": ["string", "null"]},
                "data": {"$ref": f"#/components/schemas/{_key(event)}"},
            },
        },
        "examples": [{"name": event.name, "payload": event_examples.envelope(event)}],
        "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event.type,
                              "bindingVersion": AMQP_BINDING}},
    }


def _exchange(service):
    return {"name": f"{service}.events", "type": "topic", "durable": True,
            "autoDelete": False, "vhost": "/"}


def _event_channel(event):
    return {
        "address": event.name,  # the routing key on the service's exchange
        "title": event.type,
        "description": f"{event.when}. Routing key `{event.name}` on the topic exchange "
                       f"`{event.source}.events`; also kept in `{event.source}.events.stream`.",
        "messages": {_key(event): {"$ref": f"#/components/messages/{_key(event)}"}},
        "bindings": {"amqp": {"is": "routingKey", "exchange": _exchange(event.source),
                              "bindingVersion": AMQP_BINDING}},
    }


def _stream_channel(service, events):
    return {
        "address": f"{service}.events.stream",
        "title": f"{service}.events.stream",
        "description": (
            f"A RabbitMQ stream (`x-queue-type: stream`) bound with `#` to `{service}.events`: "
            "every event of the service, kept by age and size (EVENT_STREAM_MAX_AGE, "
            "EVENT_STREAM_MAX_BYTES). Reading takes nothing away from other readers. Consume "
            "with `basic.qos` (a prefetch count), manual acks and the consumer argument "
            "`x-stream-offset`: `first`, `last`, `next`, an offset, a timestamp or an interval "
            "(`7D`, `12h`). Each message carries its offset in the `x-stream-offset` header; "
            "keep the last one you processed and resume after it (docs/streams.md)."),
        "messages": {_key(e): {"$ref": f"#/components/messages/{_key(e)}"} for e in events},
        "bindings": {"amqp": {"is": "queue", "bindingVersion": AMQP_BINDING, "queue": {
            "name": f"{service}.events.stream", "durable": True, "exclusive": False,
            "autoDelete": False, "vhost": "/"}}},
    }


def _operation(channel_id, channel, summary):
    return {"action": "send", "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": summary,
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{key}"}
                         for key in channel["messages"]],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING}}}


def document(catalogue=CATALOGUE):
    channels, operations = {}, {}
    for event in catalogue:
        channels[event.type] = _event_channel(event)
        operations[f"publish.{event.type}"] = _operation(
            event.type, channels[event.type], f"{event.source} publishes: {event.when}")
    for service in SERVICES:
        stream = f"{service}.events.stream"
        channels[stream] = _stream_channel(service, [e for e in catalogue if e.source == service])
        operations[f"keep.{stream}"] = _operation(
            stream, channels[stream], f"every event {service} publishes is kept in its stream")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "BizPortal events",
            "version": f"{ENVELOPE_VERSION}.0.0",
            "description": (
                "What BizPortal's services publish on RabbitMQ, for internal teams: one topic "
                "exchange `<service>.events` per service (routing key = the event name) and one "
                "stream `<service>.events.stream` per service. Every body is a JSON envelope "
                "(event_id, type, occurred_at, source, version, request_id, data); delivery is "
                "at least once. A breaking change publishes `version` 2 alongside 1 for a "
                "deprecation period (docs/streams.md, Versions). Generated from "
                "services/contracts/events.py."),
        },
        "defaultContentType": "application/json",
        "servers": {"broker": {
            "host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
            "description": "The RabbitMQ broker named by AMQP_URI (this is its default)."}},
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {_key(e): data_schema(e) for e in catalogue},
            "messages": {_key(e): _message(e) for e in catalogue},
        },
    }


def render():
    return json.dumps(document(), indent=2) + "\n"


if __name__ == "__main__":
    print(render(), end="")
