"""Configuration: environment variables only, read here and nowhere else.

Used by the services, the gateway, the bootstrap and the tests alike, so every part agrees on
names and defaults. See README's configuration table.
"""
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from services.contracts.names import SERVICES

DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"

# Every variable any part reads; the deployment test checks compose and k8s against this.
VARIABLES = (
    "AMQP_URI", "DATA_DIR", "IDENTITY_DATABASE_URL", "BILLING_DATABASE_URL",
    "PAYMENTS_DATABASE_URL", "NOTIFICATIONS_DATABASE_URL", "SMTP_URL", "PORT", "SECRET_KEY",
    "ADMIN_TOKEN", "PUBLIC_URL", "RPC_TIMEOUT", "LOG_LEVEL", "GATEWAY_WORKERS", "GATEWAY_THREADS",
    "PAYMENTS_PROCESSOR", "EVENT_MAX_ATTEMPTS", "EVENT_RETRY_MAX_DELAY",
)


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    data_dir: Path
    database_urls: dict = field(default_factory=dict)
    smtp_url: str | None = None
    port: int = 8080
    secret_key: str = ""
    admin_token: str = ""
    public_url: str = ""
    rpc_timeout: float = 5.0
    log_level: str = "INFO"
    gateway_workers: int = 2
    gateway_threads: int = 8
    payments_processor: str = "sandbox"  # or module:Class (docs/payments-processor.md)
    event_max_attempts: int = 5         # a failing event handler's tries before it is parked
    event_retry_max_delay: float = 30.0  # the longest wait between two tries, in seconds

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def database_url(self, service: str) -> str:
        return self.database_urls[service]


def load(env=None) -> Settings:
    """Read the environment (``os.environ`` by default) into Settings.

    SECRET_KEY and ADMIN_TOKEN, when unset, are generated once into DATA_DIR so that every
    process on this machine (each gunicorn worker, each service) agrees on them.
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR") or "./var").resolve()
    port = int(env.get("PORT") or 8080)
    return Settings(
        amqp_uri=env.get("AMQP_URI") or DEFAULT_AMQP_URI,
        data_dir=data_dir,
        database_urls={
            name: env.get(f"{name.upper()}_DATABASE_URL") or f"sqlite:///{data_dir / name}.db"
            for name in SERVICES
        },
        smtp_url=env.get("SMTP_URL") or None,
        port=port,
        secret_key=env.get("SECRET_KEY") or _generated(data_dir, "secret_key"),
        admin_token=env.get("ADMIN_TOKEN") or _generated(data_dir, "admin_token"),
        public_url=(env.get("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        rpc_timeout=float(env.get("RPC_TIMEOUT") or 5.0),
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        gateway_workers=int(env.get("GATEWAY_WORKERS") or 2),
        gateway_threads=int(env.get("GATEWAY_THREADS") or 8),
        payments_processor=env.get("PAYMENTS_PROCESSOR") or "sandbox",
        event_max_attempts=max(1, int(env.get("EVENT_MAX_ATTEMPTS") or 5)),
        event_retry_max_delay=max(0.0, float(env.get("EVENT_RETRY_MAX_DELAY") or 30.0)),
    )


def _generated(data_dir: Path, name: str) -> str:
    """A random secret kept in DATA_DIR/<name>, created on first use (mode 0600)."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its value
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def nameko_config(service: str, settings: Settings | None = None) -> dict:
    """The nameko container config for one service."""
    settings = settings or load()
    return {
        "AMQP_URI": settings.amqp_uri,
        "SERIALIZER": "json",
        "max_workers": 10,
        "PARENT_CALLS_TRACKED": 10,
        "DATABASE_URL": settings.database_url(service),
        "DATA_DIR": str(settings.data_dir),
        "SMTP_URL": settings.smtp_url,
        "PUBLIC_URL": settings.public_url,
        "SECRET_KEY": settings.secret_key,  # identity seals TOTP secrets at rest with it
        "RPC_TIMEOUT": settings.rpc_timeout,
        "PAYMENTS_PROCESSOR": settings.payments_processor,
        "EVENT_MAX_ATTEMPTS": settings.event_max_attempts,
        "EVENT_RETRY_MAX_DELAY": settings.event_retry_max_delay,
    }
