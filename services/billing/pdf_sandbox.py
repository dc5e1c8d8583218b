"""Statement PDFs rendered outside billing, each in a process of its own with bounded memory,
CPU and wall-clock time.

reportlab is CPU-bound Python: run inside billing (one eventlet hub) a large statement would
stall every other RPC and event of the service, and one that blows up would take billing's
memory with it. ``render`` sends the statement (JSON) to the renderer (pdf_renderer.py: a
fork server started once per billing process, with reportlab already imported), whose child
for this statement sets RLIMIT_AS and RLIMIT_CPU, confines itself (no file but code, no
socket, no process), renders and answers. Billing waits on a green Unix socket (eventlet's
monkey patch), so it keeps serving, at most ``wall_seconds``, then kills that child.

At most CONCURRENT_RENDERS run at once per billing process (the others wait, within their wall
budget). A render that fails or blows its budget raises ``RenderFailed`` for that statement
only: the on-demand PDF answers 503 and the print-batch event is retried, then parked for
replay. A renderer that died is started again on the next render.
"""
import json
import logging
import os
import select
import signal
import socket  # green under eventlet's monkey patch, as are select, subprocess, threading
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from services.billing import pdf_renderer as renderer

log = logging.getLogger(__name__)

# renders at once per billing process: with the budget below, PDFs can take at most this many
# CPUs and this many times memory_bytes, however many statements are issued together
CONCURRENT_RENDERS = 2
_slots = threading.BoundedSemaphore(CONCURRENT_RENDERS)
START_SECONDS = 30  # the renderer imports reportlab and renders a sample before it is ready


@dataclass(frozen=True)
class Budget:
    memory_bytes: int = 512 * 2**20  # address space; the renderer itself takes ~45 MB (30 MB RSS)
    cpu_seconds: int = 10
    wall_seconds: float = 15.0


DEFAULT = Budget()


class RenderFailed(Exception):
    """This statement's PDF could not be made within its budget (or at all)."""


def render(detail, budget=None):
    """PDF bytes of ``detail`` (queries.statement_detail), rendered in a bounded process of
    its own (``budget``, DEFAULT unless given). Raises RenderFailed (logged) when it fails, is
    stopped or runs out of time."""
    budget = budget or DEFAULT
    payload = json.dumps(detail, default=str).encode()
    deadline = time.monotonic() + budget.wall_seconds
    if not _slots.acquire(timeout=budget.wall_seconds):
        return _failed(detail, f"{CONCURRENT_RENDERS} other PDFs were being made for "
                               f"{budget.wall_seconds:g} s")
    try:
        status, body = _ask(payload, budget, deadline)
    except TimeoutError:
        return _failed(detail, f"took longer than {budget.wall_seconds:g} s")
    except (EOFError, OSError) as exc:
        return _failed(detail, f"was stopped before it finished (CPU limit "
                               f"{budget.cpu_seconds} s, memory {budget.memory_bytes // 2**20}"
                               f" MB): {exc or type(exc).__name__}")
    finally:
        _slots.release()
    if status == renderer.OK:
        return body
    if status == renderer.FAILED_MEMORY:
        return _failed(detail, f"needed more than {budget.memory_bytes // 2**20} MB")
    return _failed(detail, body.decode(errors="replace"))


def _failed(detail, reason):
    invoice = detail.get("invoice_number")
    log.error("statement %s PDF not rendered: %s", invoice, reason)
    raise RenderFailed(f"The PDF of statement {invoice} could not be made: {reason}.")


def _ask(payload, budget, deadline):
    """One statement through the renderer: ``(status, body)``. Raises TimeoutError at the
    deadline (the child is killed), EOFError when the child was stopped (CPU limit)."""
    conn = _server.connect(deadline)
    pid = None
    try:
        conn.settimeout(_left(deadline))
        pid = renderer.PID.unpack(_read(conn, renderer.PID.size, deadline))[0]
        conn.sendall(renderer.REQUEST.pack(budget.memory_bytes, budget.cpu_seconds,
                                           len(payload)) + payload)
        status, length = renderer.ANSWER.unpack(_read(conn, renderer.ANSWER.size, deadline))
        if length > renderer.MAX_PDF_BYTES:
            raise EOFError("an answer larger than any statement")
        return status, _read(conn, length, deadline)
    except (TimeoutError, socket.timeout):
        if pid is not None:  # still at work (a child that ended would have hung up)
            _kill(pid)
        raise TimeoutError from None
    finally:
        conn.close()


def _read(conn, size, deadline):
    data = bytearray()
    while len(data) < size:
        conn.settimeout(_left(deadline))
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError("the renderer hung up")
        data += chunk
    return bytes(data)


def _left(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class _Server:
    """The renderer process of this billing process, started on first use and again after it
    died. Its stdin is a pipe from here: when billing exits, the renderer does too."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.path = None

    def connect(self, deadline):
        for attempt in (1, 2):
            with self.lock:
                if self.process is None or self.process.poll() is not None:
                    self._start()
                path = self.path
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.settimeout(_left(deadline))
                conn.connect(path)
                return conn
            except (ConnectionRefusedError, FileNotFoundError):
                conn.close()
                with self.lock:
                    self._stop()  # gone or wedged: start a fresh one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _start(self):
        self._stop()
        folder = tempfile.mkdtemp(prefix="bizportal-pdf-")  # 0700: only billing's user
        self.path = os.path.join(folder, "renderer.sock")
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "services.billing.pdf_renderer", self.path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=renderer.ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"})
        started = time.monotonic()
        # green under eventlet: billing serves meanwhile
        waited = select.select([self.process.stdout], [], [], START_SECONDS)[0]
        ready = self.process.stdout.readline() if waited else b""
        if ready.strip() != b"ready":
            self._stop()
            raise EOFError("the statement renderer did not start")
        log.info("statement renderer %d ready in %.0f ms", self.process.pid,
                 (time.monotonic() - started) * 1000)

    def _stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None
        if self.path:
            for leftover in (self.path, os.path.dirname(self.path)):
                try:
                    (os.rmdir if leftover != self.path else os.unlink)(leftover)
                except OSError:
                    pass
            self.path = None


_server = _Server()
