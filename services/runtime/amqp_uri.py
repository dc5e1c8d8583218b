"""AMQP_URI naming one broker or several: ``amqp://h1;amqp://h2;amqp://h3``.

That is kombu's failover form: a connection tries the brokers in turn, and nameko's consumer,
its publishers and ClusterRpcProxy move to the next one by themselves when theirs dies. Two
things need help: a connection opened directly (kombu's ``Connection.channel()`` tries only
two brokers), and logs (nameko's ``sanitize_url`` masks only the first password).
"""
import re

from kombu import Connection

# scheme://user:password@ — the password is what never reaches a log line
_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*://[^:@/\s;]*:)[^@\s;]*@")
MASK = "***"


def alternates(uri):
    """The brokers of ``uri``, in the order kombu tries them."""
    return [part.strip() for part in uri.split(";") if part.strip()]


def mask(text):
    """``text`` with the password of every URI in it masked."""
    return _PASSWORD.sub(rf"\g<1>{MASK}@", text) if text else text


def pyamqp(uri):
    """The same brokers under kombu's "pyamqp" name: plain "amqp" makes every new connection
    try importing librabbitmq first (~45 us a publish in nameko, which connects per publish)."""
    return ";".join("py" + part if part.startswith("amqp://") else part
                    for part in alternates(uri))


def connect(uri, connect_timeout=5, **kwargs):
    """A kombu Connection to the first broker of ``uri`` that answers (each tried once)."""
    connection = Connection(uri, connect_timeout=connect_timeout, **kwargs)
    try:
        connection.ensure_connection(max_retries=len(alternates(uri)) - 1)
    except Exception:
        connection.release()
        raise
    return connection
