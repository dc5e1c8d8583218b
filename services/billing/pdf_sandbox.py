"""Statement PDFs rendered in a child process with bounded memory, CPU and wall-clock time.

reportlab is CPU-bound Python: run inside billing (one eventlet hub) a large statement would
stall every other RPC and event of the service, and one that blows up would take billing's
memory with it. ``render`` hands the statement (as JSON on stdin) to
``python -I -m services.billing.pdf_sandbox``, which limits itself (RLIMIT_AS, RLIMIT_CPU)
before importing reportlab, refuses from then on to open any file but Python's and this
project's code and to open a socket or start a process (an audit hook, which cannot be
removed), renders and writes the PDF to stdout. The parent waits on the pipe (green under
eventlet's monkey patch, so billing keeps serving) at most ``wall_seconds``, then kills it.

At most CONCURRENT_RENDERS run at once per billing process (the others wait, within their wall
budget). A render that fails or blows its budget raises ``RenderFailed`` for that statement
only: the on-demand PDF answers 503 and the print-batch event is retried, then parked for
replay.
Cost: one interpreter start and reportlab import per PDF (see docs/architecture.md).
"""
import json
import logging
import os
import resource
import subprocess  # eventlet's monkey patch makes it green in the services
import sys
import threading  # green under eventlet's monkey patch
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
MAX_PDF_BYTES = 20 * 2**20  # a statement is kilobytes; more than this is not a statement
# renders at once per billing process: with the budget below, PDFs can take at most this many
# CPUs and this many times memory_bytes, however many statements are issued together
CONCURRENT_RENDERS = 2
_slots = threading.BoundedSemaphore(CONCURRENT_RENDERS)
FAILED_MEMORY, FAILED_RENDER, FAILED_SIZE = 3, 4, 5


@dataclass(frozen=True)
class Budget:
    memory_bytes: int = 512 * 2**20  # address space: the interpreter and reportlab take ~60 MB
    cpu_seconds: int = 10
    wall_seconds: float = 15.0


DEFAULT = Budget()


class RenderFailed(Exception):
    """This statement's PDF could not be made within its budget (or at all)."""


def render(detail, budget=DEFAULT):
    """PDF bytes of ``detail`` (queries.statement_detail), rendered in a bounded child
    process. Raises RenderFailed (logged) when it fails, is killed or runs out of time."""
    payload = json.dumps(detail, default=str).encode()
    started = time.monotonic()
    if not _slots.acquire(timeout=budget.wall_seconds):
        return _failed(detail, f"{CONCURRENT_RENDERS} other PDFs were being made for "
                               f"{budget.wall_seconds:g} s")
    try:
        return _render(detail, payload, budget, started)
    finally:
        _slots.release()


def _render(detail, payload, budget, started):
    child = subprocess.Popen(
        [sys.executable, "-I", "-m", "services.billing.pdf_sandbox",
         str(budget.memory_bytes), str(budget.cpu_seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"})
    try:
        out, err = child.communicate(
            payload, timeout=max(0.01, budget.wall_seconds - (time.monotonic() - started)))
    except Exception as exc:
        # eventlet's green Popen raises the TimeoutExpired of its own copy of subprocess
        if type(exc).__name__ != "TimeoutExpired":
            child.kill()
            child.wait()
            raise
        child.kill()
        child.communicate()
        return _failed(detail, f"took longer than {budget.wall_seconds:g} s")
    if child.returncode != 0:
        return _failed(detail, _reason(child.returncode, err, budget))
    log.debug("statement %s PDF rendered in %.0f ms", detail.get("invoice_number"),
              (time.monotonic() - started) * 1000)
    return out


def _reason(code, err, budget):
    message = err.decode(errors="replace").strip()[-300:]
    if code == FAILED_MEMORY:
        return f"needed more than {budget.memory_bytes // 2**20} MB"
    if code < 0:  # killed by a signal: SIGXCPU is the CPU limit
        return f"stopped by signal {-code} (CPU limit {budget.cpu_seconds} s) {message}".strip()
    return message or f"exit status {code}"


def _failed(detail, reason):
    invoice = detail.get("invoice_number")
    log.error("statement %s PDF not rendered: %s", invoice, reason)
    raise RenderFailed(f"The PDF of statement {invoice} could not be made: {reason}.")


# --- the child ---------------------------------------------------------------------------

def _allowed_roots():
    return tuple(str(Path(p).resolve()) + os.sep for p in
                 {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT)})


def _confine():
    """From here on the process opens no data file, socket or process: reportlab may only
    load code (a lazily imported module), so no markup, image or font path can read the disk."""
    roots = _allowed_roots()
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


def main(argv):
    memory, cpu = int(argv[0]), int(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        detail = json.loads(sys.stdin.buffer.read())
        from services.billing import pdf
        _confine()
        document = pdf.render(detail)
    except MemoryError:
        sys.stderr.write("out of memory\n")
        return FAILED_MEMORY
    except Exception as exc:  # noqa: BLE001 -- the parent gets the reason, not a traceback
        if "map segment" in str(exc) or "Cannot allocate memory" in str(exc):
            return FAILED_MEMORY  # RLIMIT_AS stopped a shared library from loading
        sys.stderr.write(f"{type(exc).__name__}: {str(exc)[:200]}\n")
        return FAILED_RENDER
    if len(document) > MAX_PDF_BYTES:
        sys.stderr.write(f"the PDF would be {len(document) // 2**20} MB\n")
        return FAILED_SIZE
    sys.stdout.buffer.write(document)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
