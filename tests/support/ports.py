"""A free TCP port on 127.0.0.1 for a process a test or bench starts."""
import random
import socket


def free_port(between=None):
    """A port nothing listens on now: any the kernel picks, or one in ``between`` (low, high),
    for a process that must stay out of the ephemeral range (RabbitMQ's listener and
    distribution port in the chaos runs, whose clients' own ports come from that range)."""
    if between is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    low, high = between
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {low}-{high}")
