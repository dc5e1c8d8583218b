"""Each ``<service>.events`` exchange feeds a stream that readers replay from an offset of their
own, and examples/subscriber.py reads one across a restart with no gap and no repeat.

The system's tests run the real services (events published by the outbox relay) and the
example as a subprocess; the offset and retention tests declare a stream with
services/runtime/streams.py on a vhost of their own and publish onto its exchange directly.
"""
import dataclasses
import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from kombu import Connection
from nameko.standalone.events import get_event_exchange

from services.contracts.names import SERVICES
from services.runtime import config, streams
from tests.support.auth_helpers import open_account
from tests.support.system import eventually

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "subscriber.py"


class Reader:
    """examples/subscriber.py running as its own process, its output collected line by line."""

    def __init__(self, amqp_uri, service, offset, state):
        self.out = state.with_suffix(".jsonl")
        with self.out.open("a") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, str(EXAMPLE), amqp_uri, service, offset, "--state", str(state)],
                stdout=out, stderr=subprocess.PIPE, text=True)

    def lines(self):
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    def wait_for(self, count, timeout=30):
        try:
            return eventually(lambda: len(self.lines()) >= count and self.lines(),
                              timeout=timeout)
        except AssertionError:
            # say why: once in CI a late reader printed nothing in 30 s; was it still running?
            ended = self.process.poll()
            errors = self.process.stderr.read() if ended is not None else "(still running)"
            raise AssertionError(f"{len(self.lines())} of {count} lines; subscriber exit "
                                 f"{ended}: {errors[-2000:]}") from None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        _, errors = self.process.communicate(timeout=15)
        assert self.process.returncode == 0, errors
        return errors


def account_numbers(lines):
    return [line["event"]["data"]["account_number"] for line in lines
            if line["event"]["type"] == "billing.account_opened"]


def test_every_service_s_exchange_feeds_a_stream_kept_by_age_and_size(system, broker,
                                                                      session_vhost):
    for service in SERVICES:
        queue = broker.queue(session_vhost[0], f"{service}.events.stream")
        assert queue["type"] == "stream"
        assert queue["arguments"]["x-max-age"] == "7D"
        assert queue["arguments"]["x-max-length-bytes"] == 5_000_000_000


def test_the_example_resumes_after_a_restart_with_no_gap_and_no_repeat(system, tmp_path):
    uri = system.env["AMQP_URI"]
    reader = Reader(uri, "billing", "first", tmp_path / "team-a.offset")
    before = [open_account(system)["account_number"] for _ in range(4)]
    eventually(lambda: set(before) <= set(account_numbers(reader.lines())), timeout=30)
    reader.stop()
    during = [open_account(system)["account_number"] for _ in range(4)]  # nobody reading
    reader = Reader(uri, "billing", "first", tmp_path / "team-a.offset")  # "first" is ignored
    eventually(lambda: set(during) <= set(account_numbers(reader.lines())), timeout=30)
    reader.stop()

    offsets = [line["offset"] for line in reader.lines()]
    assert offsets == sorted(set(offsets))  # in order, none twice
    opened = account_numbers(reader.lines())
    assert all(opened.count(number) == 1 for number in before + during)
    assert int((tmp_path / "team-a.offset").read_text()) == offsets[-1]

    # another team reading from the beginning, in one go, gets the same events, so the first
    # missed none across its restart, and taking them took them from nobody
    other = Reader(uri, "billing", "first", tmp_path / "team-b.offset")
    eventually(lambda: other.lines() and other.lines()[-1]["offset"] >= offsets[-1])
    other.stop()
    assert [(line["offset"], line["event"]["event_id"]) for line in other.lines()
            if line["offset"] <= offsets[-1]] == \
        [(line["offset"], line["event"]["event_id"]) for line in reader.lines()]
    assert other.lines()[0]["offset"] == offsets[0]  # the stream held what came before either


@pytest.fixture
def stream(broker):
    """A vhost of its own with billing's stream declared: (amqp_uri, publish, vhost), where
    ``publish(count)`` sends that many events with ids e0, e1, … onto billing's exchange."""
    vhost, uri = broker.create_vhost("bizportal_streams")
    settings = config.load({"DATA_DIR": "."}, generate=False)
    assert streams.declare("billing", {"AMQP_URI": uri}, settings)
    sent = []

    def publish(count, size=0):
        with Connection(uri, connect_timeout=10) as connection:
            producer = connection.Producer()
            for _ in range(count):
                body = {"event_id": f"e{len(sent)}", "type": "billing.test", "pad": "x" * size}
                producer.publish(json.dumps(body).encode(), exchange=get_event_exchange(
                    "billing", {}), routing_key="test", content_type="application/json")
                sent.append(body["event_id"])
    yield uri, publish, vhost
    broker.delete_vhost(vhost)


def ids(lines):
    return [line["event"]["event_id"] for line in lines]


def test_the_running_gateway_serves_the_asyncapi_document_without_signing_in(system):
    response = requests.get(system.url("/api/v1/asyncapi.json"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.text == (ROOT / "docs" / "asyncapi.json").read_text()


def test_a_reader_starts_at_an_offset_a_time_or_only_what_comes_next(stream, tmp_path):
    uri, publish, _ = stream
    publish(5)
    time.sleep(1.5)  # stream timestamps are per chunk, in seconds
    since = datetime.now(timezone.utc).isoformat()
    time.sleep(1.5)
    publish(3)

    at_three = Reader(uri, "billing", "3", tmp_path / "at-three.offset")
    assert ids(at_three.wait_for(5)) == ["e3", "e4", "e5", "e6", "e7"]
    at_time = Reader(uri, "billing", since, tmp_path / "at-time.offset")
    assert ids(at_time.wait_for(3)) == ["e5", "e6", "e7"]
    newcomer = Reader(uri, "billing", "next", tmp_path / "next.offset")
    time.sleep(2)  # attached before anything more is published
    publish(2)
    assert ids(newcomer.wait_for(2)) == ["e8", "e9"]
    for reader in (at_three, at_time, newcomer):
        reader.stop()
    assert len(at_three.lines()) == 7 and len(at_time.lines()) == 5  # and the two later ones


def test_a_reader_starts_an_interval_ago_or_at_the_last_chunk(stream, tmp_path):
    uri, publish, _ = stream
    publish(5)
    time.sleep(1.5)  # a chunk of its own for the next batch
    publish(3)
    hour = Reader(uri, "billing", "1h", tmp_path / "hour.offset")
    assert ids(hour.wait_for(8)) == [f"e{n}" for n in range(8)]
    last = Reader(uri, "billing", "last", tmp_path / "last.offset")
    eventually(lambda: "e7" in ids(last.lines()))
    for reader in (hour, last):
        reader.stop()
    assert ids(last.lines()) in (["e5", "e6", "e7"], ["e6", "e7"], ["e7"])  # not the first batch


def test_a_reader_killed_hard_resumes_with_no_gap_and_at_most_one_event_again(stream,
                                                                             tmp_path):
    uri, publish, _ = stream
    publish(2000)
    reader = Reader(uri, "billing", "first", tmp_path / "r.offset")
    reader.wait_for(50)
    reader.process.kill()  # SIGKILL: no chance to finish the event in hand
    reader.process.wait()
    reader = Reader(uri, "billing", "first", tmp_path / "r.offset")
    sent = {f"e{n}" for n in range(2000)}
    eventually(lambda: set(ids(reader.lines())) >= sent, timeout=60)
    reader.stop()
    assert set(ids(reader.lines())) == sent
    assert len(reader.lines()) - 2000 <= 1
    offsets = [line["offset"] for line in reader.lines()]
    assert offsets == sorted(offsets)


def test_a_stream_drops_its_oldest_events_beyond_its_size(broker, tmp_path):
    vhost, uri = broker.create_vhost("bizportal_streams")
    try:
        small = dataclasses.replace(config.load({"DATA_DIR": "."}, generate=False),
                                    event_stream_max_bytes=50_000)
        assert streams.declare("billing", {"AMQP_URI": uri}, small)

        def publish(start, count):
            with Connection(uri, connect_timeout=10) as connection:
                producer = connection.Producer()
                for n in range(start, start + count):
                    producer.publish(json.dumps({"event_id": f"e{n}", "pad": "x" * 1000}).encode(),
                                     exchange=get_event_exchange("billing", {}), routing_key="t")

        publish(0, 3)
        early = Reader(uri, "billing", "first", tmp_path / "early.offset")
        early.wait_for(3)
        early.stop()  # and away while the stream outgrows its size
        publish(3, 300)
        late = Reader(uri, "billing", "first", tmp_path / "late.offset")
        oldest = late.wait_for(1)[0]["event"]["event_id"]
        late.stop()
        assert 3 < int(oldest[1:]) < 302

        early = Reader(uri, "billing", "first", tmp_path / "early.offset")  # back after it
        eventually(lambda: ids(early.lines())[-1] == "e302")
        early.stop()
        assert ids(early.lines())[3] == oldest  # resumed at the oldest event left
    finally:
        broker.delete_vhost(vhost)


def test_a_stream_asked_for_with_another_retention_keeps_its_own_and_its_events(stream,
                                                                                tmp_path):
    uri, publish, _ = stream
    publish(2)
    other = dataclasses.replace(config.load({"DATA_DIR": "."}, generate=False),
                                event_stream_max_age="1D")
    assert streams.declare("billing", {"AMQP_URI": uri}, other) is False
    publish(1)  # still bound to the exchange
    reader = Reader(uri, "billing", "first", tmp_path / "r.offset")
    assert ids(reader.wait_for(3)) == ["e0", "e1", "e2"]
    reader.stop()
