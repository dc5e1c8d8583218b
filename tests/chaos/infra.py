"""A private RabbitMQ node and a private PostgreSQL cluster for one chaos run.

The chaos run restarts its broker and its database; the shared servers on 5672/5432 serve
other tests at the same time, so the run never touches them: it starts its own node and
cluster in a temporary directory, on ports below the kernel's ephemeral range (a CLI's
outgoing connection may otherwise take the listener's port between stop_app and start_app),
and removes both when it ends, even on failure.
"""
import contextlib
import os
import pwd
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.ports import free_port

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
# a quorum queue holds ~5 file handles on its leader and 2 on each follower: a node left at
# the usual 1024 stopped accepting connections at ~340 quorum queues (docs/queues.md)
BROKER_NOFILE = 65536
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # Debian's, behind /usr/sbin's su


def raise_nofile(limit=BROKER_NOFILE):
    """For a broker's preexec_fn: LimitNOFILE=``limit``, or the hard limit where this machine
    (a container) allows no more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, max(limit, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(limit, hard)), hard))


def free_low_port():
    """A free port in 20000-32000 (below the ephemeral range 32768-60999)."""
    return free_port(between=(20000, 32000))


def _run(command, timeout=120, check=True, **kwargs):
    return subprocess.run(command, check=check, timeout=timeout, capture_output=True, text=True,
                          **kwargs)


class PrivateBroker:
    """A RabbitMQ node of our own (no plugins), started detached as the rabbitmq user."""

    def __init__(self, base):
        self.base = Path(base) / "rabbitmq"
        self.node = f"chaos-{os.getpid()}-{random.randint(1000, 9999)}@localhost"
        self.port = free_low_port()
        self.dist_port = free_low_port()
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self):
        return {**os.environ, "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
                "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
                "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
                "RABBITMQ_PID_FILE": str(self.base / "pid")}

    def start(self):
        self.base.mkdir(parents=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        _run(["chown", "-R", "rabbitmq:rabbitmq", str(self.base)])
        self.launch()
        self.ctl("wait", str(self.base / "pid"), "--timeout", "90", timeout=120)

    def launch(self):
        """``rabbitmq-server -detached`` as the rabbitmq user with BROKER_NOFILE open files.
        Debian's /usr/sbin wrapper switches user with su, whose PAM session puts the limit
        back to 1024, so the server script is run directly where it is there."""
        server = RABBITMQ_SERVER if os.path.exists(RABBITMQ_SERVER) else "rabbitmq-server"
        user = pwd.getpwnam("rabbitmq") if server == RABBITMQ_SERVER else None

        def limits_then_user():
            raise_nofile()
            if user:
                os.setgid(user.pw_gid)
                os.initgroups(user.pw_name, user.pw_gid)
                os.setuid(user.pw_uid)

        env = {**self._env(), **({"HOME": user.pw_dir} if user else {})}
        subprocess.run([server, "-detached"], env=env, check=True, timeout=60,
                       cwd=user.pw_dir if user else None, preexec_fn=limits_then_user,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ctl(self, *args, timeout=60):
        return _run(["rabbitmqctl", "-n", self.node, "-q", *args], timeout=timeout)

    def stop_app(self):
        self.ctl("stop_app")

    def start_app(self):
        for attempt in range(5):
            try:
                self.ctl("start_app")
                return
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise
                time.sleep(1)

    def stop(self):
        try:
            self.ctl("stop", timeout=60)
        except Exception:
            pid = self.base / "pid"
            if pid.exists():
                with contextlib.suppress(Exception):
                    os.kill(int(pid.read_text().strip()), 9)


class PrivatePostgres:
    """A PostgreSQL cluster of our own, run as the postgres user with pg_ctl."""

    def __init__(self, base):
        self.base = Path(base) / "postgres"
        self.data = self.base / "data"
        self.port = free_low_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args, timeout=120):
        return _run(["runuser", "-u", "postgres", "--", str(PG_BIN / args[0]), *args[1:]],
                    timeout=timeout)

    def _options(self):
        return (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=300")

    def start(self):
        if PG_BIN is None:
            raise RuntimeError("PostgreSQL's server binaries are not installed (/usr/lib/postgresql)")
        self.base.mkdir(parents=True)
        _run(["chown", "-R", "postgres:postgres", str(self.base)])
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                 "-E", "UTF8")
        self.pg_ctl("start")

    def pg_ctl(self, action, *extra):
        return self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                        "-o", self._options(), "-w", "-t", "60", *extra, action)

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def create_database(self, name):
        _run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c",
              f'CREATE DATABASE "{name}"'])
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        with contextlib.suppress(Exception):
            self.pg_ctl("stop", "-m", "immediate")


@contextlib.contextmanager
def private_infra(keep=False):
    """Yields ``(broker, postgres, tmp_dir)``; both servers stop and the directory goes when
    the block ends, however it ends (``keep=True`` leaves the directory for a post-mortem)."""
    tmp = Path(tempfile.mkdtemp(prefix="bizportal-chaos-"))
    os.chmod(tmp, 0o755)
    broker, postgres = PrivateBroker(tmp), PrivatePostgres(tmp)
    try:
        broker.start()
        postgres.start()
        yield broker, postgres, tmp
    finally:
        broker.stop()
        postgres.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
