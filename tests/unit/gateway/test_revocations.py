"""Sign-out answers once the ending reached the worker's revocation feed (gateway/revocations.py)."""
import os
import threading

from gateway.revocations import Revocations


def listening():
    feed = Revocations(900, fetch=lambda: [])
    feed._pid = os.getpid()  # as ensure_listening leaves it in a worker
    feed.synced.set()
    return feed


def test_waiting_for_an_ending_returns_as_soon_as_the_feed_brings_it():
    feed = listening()
    threading.Timer(0.2, feed.add, args=("s-1",)).start()
    assert feed.wait_heard("s-1", timeout=5) is True  # False had it waited out the 5 s


def test_waiting_gives_up_after_the_timeout_when_the_feed_never_brings_it():
    assert listening().wait_heard("s-2", timeout=0.1) is False


def test_a_worker_without_a_feed_does_not_wait():
    assert Revocations(900).wait_heard("s-3", timeout=5) is False


def test_waiting_for_several_endings_returns_once_the_feed_brought_every_one():
    feed = listening()
    feed.add("s-4")
    threading.Timer(0.2, feed.add, args=("s-5",)).start()
    assert feed.wait_all_heard(["s-4", "s-5"], timeout=5) is True


def test_waiting_for_several_endings_gives_up_while_one_is_missing():
    feed = listening()
    feed.add("s-6")
    assert feed.wait_all_heard(["s-6", "s-7"], timeout=0.1) is False
