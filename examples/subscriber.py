"""Read a BizPortal service's event stream with kombu, printing each event as one JSON line.

    python examples/subscriber.py AMQP_URI SERVICE [OFFSET] [--state FILE]

OFFSET says where a reader with no saved position starts: ``first`` (everything the stream
still holds), ``last`` (the last chunk written), ``next`` (only what comes from now on; the
default), an offset number, a time (``2026-11-30T08:00:00Z``) or an interval back from now
(``90m``, ``12h``, ``7D``). RabbitMQ does not remember an AMQP reader's position, so this one
keeps it in FILE (default ``./<service>.events.offset``): after each event is printed, the
offset it came at; a restart resumes after it, with no gap and no repeat. Only a hard kill
between printing an event and saving its offset repeats that one event: its ``event_id`` tells
a reader it has seen it. Offsets grow but are not consecutive (RabbitMQ writes entries of its
own into the log), and a reader away longer than the retention resumes at the oldest event
left. See docs/streams.md. Needs only kombu.
"""
import argparse
import json
import os
import re
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

from kombu import Connection, Consumer, Queue

PREFETCH = 100  # a stream refuses a consumer without basic.qos; this many are unacked at once
INTERVAL = re.compile(r"[1-9][0-9]*[YMDhms]")


def offset_argument(spec):
    """The ``x-stream-offset`` value for an OFFSET given on the command line."""
    if spec in ("first", "last", "next") or INTERVAL.fullmatch(spec):
        return spec
    if spec.isdigit():
        return int(spec)
    try:
        moment = datetime.fromisoformat(spec)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{spec!r} is not first, last, next, an offset, a time or an interval") from None
    # kombu sends a datetime as an AMQP timestamp, which is what the broker wants here
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Position:
    """The last offset this reader has dealt with, kept in a file that is replaced whole."""

    def __init__(self, path):
        self.path = Path(path)
        self.last = int(self.path.read_text()) if self.path.exists() else None

    def save(self, offset):
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(str(offset))
        os.replace(partial, self.path)  # a crash leaves the old position or the new, never half
        self.last = offset


def read(amqp_uri, service, start, position, out=sys.stdout, stopping=lambda: False):
    """Print every event from ``position`` (else ``start``) on, until ``stopping()``."""
    resume = start if position.last is None else position.last + 1
    stream = Queue(f"{service}.events.stream", no_declare=True,  # made by the system's migrate
                   consumer_arguments={"x-stream-offset": resume})

    def on_message(message):
        offset = message.headers["x-stream-offset"]
        if position.last is not None and offset <= position.last:
            message.ack()  # seen already (cheap insurance: starts can be whole chunks)
            return
        out.write(json.dumps({"offset": offset, "event": json.loads(message.body)}) + "\n")
        out.flush()
        position.save(offset)
        message.ack()  # on a stream an ack frees credit for more; it removes nothing

    with Connection(amqp_uri, connect_timeout=10) as connection:
        with Consumer(connection.channel(), [stream], on_message=on_message, no_ack=False,
                      prefetch_count=PREFETCH):
            while not stopping():
                try:
                    connection.drain_events(timeout=1)
                except TimeoutError:  # nothing for a second: look at stopping() again
                    pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("amqp_uri")
    parser.add_argument("service", help="identity, billing, payments or notifications")
    parser.add_argument("offset", nargs="?", default="next", type=offset_argument)
    parser.add_argument("--state", help="the file keeping this reader's position")
    args = parser.parse_args(argv)
    position = Position(args.state or f"{args.service}.events.offset")
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the event in hand, then leave
        signal.signal(sig, lambda *_: stop.append(True))
    read(args.amqp_uri, args.service, args.offset, position, stopping=lambda: bool(stop))


if __name__ == "__main__":
    main()
