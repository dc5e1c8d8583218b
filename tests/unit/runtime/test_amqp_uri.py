"""AMQP_URI naming several brokers: each password masked wherever it is logged, and each
broker kept under kombu's pyamqp name."""
import logging
import sys

from services.runtime import amqp_uri
from services.runtime.logs import JsonFormatter

CLUSTER = ("amqp://ops:s3cret-one@rabbit-1:5672/portal;amqp://ops:s3cret-two@rabbit-2:5672/portal;"
           "amqps://other:s3cret-3@rabbit-3/portal")


def test_every_password_of_a_failover_uri_is_masked():
    masked = amqp_uri.mask(f"Error connecting to broker at {CLUSTER} (refused)")
    assert "s3cret" not in masked
    assert masked == ("Error connecting to broker at amqp://ops:***@rabbit-1:5672/portal;"
                      "amqp://ops:***@rabbit-2:5672/portal;amqps://other:***@rabbit-3/portal "
                      "(refused)")


def test_uris_without_a_password_and_plain_text_are_left_as_they_are():
    text = "amqp://rabbit-1;amqp://guest@rabbit-2/ and a:b@c that is no URI"
    assert amqp_uri.mask(text) == text


def test_a_log_line_and_its_traceback_carry_no_broker_password():
    formatter = JsonFormatter("billing")
    try:
        raise ConnectionError(f"cannot reach {CLUSTER}")
    except ConnectionError:
        record = logging.LogRecord("nameko.messaging", logging.WARNING, __file__, 1,
                                   "Error connecting to broker at %s", (CLUSTER,), sys.exc_info())
    line = formatter.format(record)
    assert "s3cret" not in line
    assert line.count("ops:***@") == 4  # twice in the message, twice in the traceback


def test_each_broker_is_kept_in_order_under_the_pyamqp_name():
    assert amqp_uri.alternates("amqp://a; amqp://b ;amqp://c") == [
        "amqp://a", "amqp://b", "amqp://c"]
    assert amqp_uri.pyamqp("amqp://u:p@a/v;amqp://u:p@b/v;amqps://c") == \
        "pyamqp://u:p@a/v;pyamqp://u:p@b/v;amqps://c"
