"""The statement renderer's own process (``python -I -m services.billing.pdf_renderer <socket>``),
started and used by pdf_sandbox: a small fork server, so that reportlab is imported once and
each statement still renders in a fresh process of its own.

The server binds a Unix socket, imports reportlab and renders a sample once (so every module
a render needs is loaded), says ``ready`` on stdout, then forks one child per connection and
exits when its stdin closes (billing has gone). Each child, before it reads the statement,
sets its limits (RLIMIT_AS, RLIMIT_CPU, no core file) and confines itself with an audit hook
that cannot be removed: from then on it may open no file but Python code, no socket and no
process, so no markup, image or font path can read the disk. It renders, answers, and exits.

A child's answer: its pid (8 bytes, first, so that billing can kill it at its wall-clock
limit), then a status byte and a length-prefixed body: the PDF, or a one-line reason.
"""
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OK, FAILED_MEMORY, FAILED_RENDER, FAILED_SIZE = 0, 3, 4, 5
MAX_PDF_BYTES = 20 * 2**20  # a statement is kilobytes; more than this is not a statement
REQUEST = struct.Struct("!QIQ")   # memory bytes, cpu seconds, payload length
ANSWER = struct.Struct("!BQ")     # status, body length
PID = struct.Struct("!Q")


def confine():
    """From here on this process opens no data file, socket or process: reportlab may only load
    code (a lazily imported module)."""
    roots = tuple(str(Path(p).resolve()) + os.sep for p in
                  {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT)})
    code = (".py", ".pyc", ".so")

    def hook(event, args):
        if event == "open":
            path = args[0]
            if isinstance(path, int):
                return
            name = os.path.realpath(os.fsdecode(path))
            if not (name.startswith(roots) and name.endswith(code)):
                raise PermissionError(f"the statement renderer may not open {name}")
        elif event.startswith(("socket.", "subprocess.", "os.exec", "os.posix_spawn",
                               "os.system", "os.fork")):
            raise PermissionError(f"the statement renderer may not {event}")
    sys.addaudithook(hook)


def _read(conn, size):
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError("billing hung up")
        data += chunk
    return bytes(data)


def _answer(conn, status, body):
    conn.sendall(ANSWER.pack(status, len(body)) + body)


def _render_one(conn):
    """In the forked child: limits, confinement, then the statement."""
    from services.billing import pdf
    conn.sendall(PID.pack(os.getpid()))
    memory, cpu, length = REQUEST.unpack(_read(conn, REQUEST.size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    confine()
    try:
        document = pdf.render(json.loads(_read(conn, length)))
    except MemoryError:
        return _answer(conn, FAILED_MEMORY, b"out of memory")
    except Exception as exc:  # noqa: BLE001 -- billing gets the reason, not a traceback
        if "map segment" in str(exc) or "Cannot allocate memory" in str(exc):
            return _answer(conn, FAILED_MEMORY, b"out of memory")
        return _answer(conn, FAILED_RENDER, f"{type(exc).__name__}: {str(exc)[:200]}".encode())
    if len(document) > MAX_PDF_BYTES:
        return _answer(conn, FAILED_SIZE,
                       f"the PDF would be {len(document) // 2**20} MB".encode())
    return _answer(conn, OK, document)


SAMPLE = {"invoice_number": "0", "statement_date": "2026-01-01", "due_date": "2026-01-22",
          "previous_balance_cents": 0, "payments_cents": 0, "adjustments_cents": 0,
          "new_charges_cents": 100, "amount_due_cents": 100,
          "account": {"account_number": "0", "security_key": "-", "company_name": "Warm-up", "contact_name": "-",
                      "billing_address": {"line1": "-", "line2": "-", "city": "-",
                                          "state": "-", "postal_code": "-"}},
          "sections": [{"name": "Internet", "code": "internet", "subtotal_cents": 100,
                        "lines": [{"description": "-", "quantity": 1, "amount_cents": 100}]}]}


def serve(path):
    from services.billing import pdf
    pdf.render(SAMPLE)  # every module a render needs is loaded before any child confines itself
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return 0  # billing has gone
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            try:
                _render_one(conn)
            except BaseException:  # noqa: BLE001 -- a child never returns into the loop
                pass
            finally:
                os._exit(0)
        conn.close()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
