"""Configuration: environment variables only, read here and nowhere else.

Used by the services, the gateway, the bootstrap and the tests alike, so every part agrees on
names and defaults. See README's configuration table.

Secrets: a process that serves (a service, the gateway) reads its settings with
``load_for_process``, which refuses to start without a real SECRET_KEY and ADMIN_TOKEN. Anyone
who knows SECRET_KEY can sign access tokens and cookies, and ADMIN_TOKEN opens the staff API,
so a placeholder ("change-me"), a short or a patterned value is refused everywhere. Only
`make run`, the one-machine convenience, may leave them unset: the Makefile says so with
DEV_SECRETS=1, and they are then generated once into DATA_DIR (random, mode 0600) so every
process on the machine agrees. Files left in DATA_DIR are not enough without it: a container
whose secrets went missing must stop, not quietly make new ones.
"""
import os
import re
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
    "PAYMENTS_PROCESSOR", "EVENT_MAX_ATTEMPTS", "EVENT_RETRY_MAX_DELAY", "DEV_SECRETS",
    "METRICS_PORT", "FORWARDED_ALLOW_IPS", "KEY_ENCRYPTION_KEY", "REMIT_PAYEE", "REMIT_ADDRESS",
    "EVENT_STREAM_MAX_AGE", "EVENT_STREAM_MAX_BYTES", "HEARTBEAT", "SUSPEND_AFTER_DAYS",
    "FRAUD_GUARD", "FRAUD_HIGH_COST_PREFIXES",
    "AUTOPAY_NOTICE_DAYS",
)
# AMQP heartbeat, seconds: how soon a process leaves a broker node that stopped answering
# (services/runtime/heartbeats.py, docs/queues.md); the broker's own default is 60
DEFAULT_HEARTBEAT = 5
DEFAULT_METRICS_PORT = 9464  # Prometheus' registered default for exporters of this kind
# whom checks are made payable to and where they are mailed: the statement's payment stub
DEFAULT_REMIT_PAYEE = "BizPortal Business Services"
DEFAULT_REMIT_ADDRESS = "PO Box 660240, Dallas, TX 75266-0240"

SECRETS = ("SECRET_KEY", "ADMIN_TOKEN")
# identity seals TOTP secrets with SECRET_KEY; no service needs the staff token
SERVICE_SECRETS = ("SECRET_KEY",)
MIN_SECRET_LENGTH = 32
# what an example file or a hurried operator puts in; compared without case or punctuation
PLACEHOLDERS = ("changeme", "replacewith", "placeholder", "example", "password", "bizportal")


class SecretsRefused(RuntimeError):
    """A serving process was started without real secrets (the message says which, and how)."""


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    data_dir: Path
    database_urls: dict = field(default_factory=dict)
    smtp_url: str | None = None
    port: int = 8080
    metrics_port: int = DEFAULT_METRICS_PORT  # the gateway's /metrics, never the public port
    # the peers whose X-Forwarded-* headers count (gateway/proxies.py); gunicorn's default
    forwarded_allow_ips: str = "127.0.0.1,::1"
    secret_key: str = ""
    # what sealed values are derived from when set (services/runtime/sealing.py); else SECRET_KEY
    key_encryption_key: str = ""
    admin_token: str = ""
    public_url: str = ""
    rpc_timeout: float = 5.0
    heartbeat: int = DEFAULT_HEARTBEAT  # whole seconds: AMQP negotiates an integer
    log_level: str = "INFO"
    gateway_workers: int = 2
    gateway_threads: int = 8
    payments_processor: str = "sandbox"  # or module:Class (docs/payments-processor.md)
    event_max_attempts: int = 5         # a failing event handler's tries before it is parked
    event_retry_max_delay: float = 30.0  # the longest wait between two tries, in seconds
    # retention of each <service>.events.stream (services/runtime/streams.py), fixed at creation
    event_stream_max_age: str = "7D"
    event_stream_max_bytes: int = 5_000_000_000
    remit_payee: str = DEFAULT_REMIT_PAYEE
    remit_address: str = DEFAULT_REMIT_ADDRESS
    # days past due after which billing's collections run suspends an account (collections.py)
    suspend_after_days: int = 30
    # billing's toll-fraud guard (billing/fraud_rules.py): on | off, and the high-cost
    # destinations as comma-separated E.164 prefixes (empty: fraud_rules' default list)
    fraud_guard: str = "on"
    fraud_high_cost_prefixes: str = ""
    # days before an autopay draft that payments' run sends the pre-draft notice
    # (services/payments/autopay_notices.py)
    autopay_notice_days: int = 3

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def database_url(self, service: str) -> str:
        return self.database_urls[service]


def load(env=None, generate=True) -> Settings:
    """Read the environment (``os.environ`` by default) into Settings; an unset or empty
    variable takes the Settings field's default (the one place defaults are written).

    SECRET_KEY and ADMIN_TOKEN, when unset, are generated once into DATA_DIR so that every
    process on this machine (each gunicorn worker, each service) agrees on them, unless
    ``generate`` is false (then they stay empty). Serving processes use load_for_process.
    """
    env = os.environ if env is None else env

    def secret(name):
        return env.get(name.upper()) or (_generated(data_dir, name) if generate else "")

    data_dir = Path(env.get("DATA_DIR") or "./var").resolve()
    port = int(env.get("PORT") or Settings.port)
    return Settings(
        amqp_uri=env.get("AMQP_URI") or DEFAULT_AMQP_URI,
        data_dir=data_dir,
        database_urls={
            name: env.get(f"{name.upper()}_DATABASE_URL") or f"sqlite:///{data_dir / name}.db"
            for name in SERVICES
        },
        smtp_url=env.get("SMTP_URL") or None,
        port=port,
        metrics_port=int(env.get("METRICS_PORT") or Settings.metrics_port),
        forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS") or Settings.forwarded_allow_ips,
        secret_key=secret("secret_key"),
        admin_token=secret("admin_token"),
        key_encryption_key=env.get("KEY_ENCRYPTION_KEY") or "",
        # under make run honcho gives every process a PORT of its own; the portal's is
        # GATEWAY_PORT, and the links a service mails must point there. A host name, not
        # 127.0.0.1: browsers refuse passkeys (WebAuthn) on an IP-address origin
        public_url=(env.get("PUBLIC_URL")
                    or f"http://localhost:{env.get('GATEWAY_PORT') or port}").rstrip("/"),
        rpc_timeout=float(env.get("RPC_TIMEOUT") or Settings.rpc_timeout),
        heartbeat=max(2, int(env.get("HEARTBEAT") or Settings.heartbeat)),  # 1 s: dropped
        log_level=(env.get("LOG_LEVEL") or Settings.log_level).upper(),
        gateway_workers=int(env.get("GATEWAY_WORKERS") or Settings.gateway_workers),
        gateway_threads=int(env.get("GATEWAY_THREADS") or Settings.gateway_threads),
        payments_processor=env.get("PAYMENTS_PROCESSOR") or Settings.payments_processor,
        event_max_attempts=max(1, int(env.get("EVENT_MAX_ATTEMPTS") or Settings.event_max_attempts)),
        event_retry_max_delay=max(0.0, float(env.get("EVENT_RETRY_MAX_DELAY")
                                          or Settings.event_retry_max_delay)),
        event_stream_max_age=_stream_age(env.get("EVENT_STREAM_MAX_AGE")
                                         or Settings.event_stream_max_age),
        event_stream_max_bytes=_stream_bytes(env.get("EVENT_STREAM_MAX_BYTES")
                                             or str(Settings.event_stream_max_bytes)),
        remit_payee=env.get("REMIT_PAYEE") or Settings.remit_payee,
        remit_address=env.get("REMIT_ADDRESS") or Settings.remit_address,
        suspend_after_days=_suspend_after(env.get("SUSPEND_AFTER_DAYS")),
        fraud_guard=_fraud_guard(env.get("FRAUD_GUARD")),
        fraud_high_cost_prefixes=_prefixes(env.get("FRAUD_HIGH_COST_PREFIXES")),
        autopay_notice_days=_notice_days(env.get("AUTOPAY_NOTICE_DAYS")),
    )


def _fraud_guard(value):
    value = (value or Settings.fraud_guard).strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"FRAUD_GUARD must be on or off, not {value!r}")
    return value


def _prefixes(value):
    """Refused at start, not at the first usage load: each '+' and 1-7 digits."""
    from services.billing.fraud_rules import Destinations  # pure: no service is started
    Destinations.parse(value)
    return (value or "").strip()


def _suspend_after(value):
    """Whole days, at least the last reminder's (14): suspending before the customer was
    reminded three times would skip the dunning it follows."""
    if not value:
        return Settings.suspend_after_days
    if not value.isascii() or not value.isdigit() or not 14 < int(value) <= 365:
        raise ValueError(f"SUSPEND_AFTER_DAYS must be a number of days from 15 to 365, "
                         f"not {value!r}")
    return int(value)


def _notice_days(value):
    """Whole days, 1 to 28: a notice on the draft day itself is no notice, and more than a
    cycle ahead would announce a draft before its statement exists."""
    if not value:
        return Settings.autopay_notice_days
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 28:
        raise ValueError(f"AUTOPAY_NOTICE_DAYS must be a number of days from 1 to 28, "
                         f"not {value!r}")
    return int(value)


def _stream_age(value):
    """RabbitMQ's x-max-age form (a number and one of Y M D h m s): the broker would refuse
    anything else only when the stream is declared, so it is refused here, at start."""
    if not re.fullmatch(r"[1-9][0-9]*[YMDhms]", value):
        raise ValueError(f"EVENT_STREAM_MAX_AGE must be like 7D, 12h or 90m, not {value!r}")
    return value


def _stream_bytes(value):
    if not value.isdigit() or int(value) < 1_000_000:  # below that a stream keeps next to nothing
        raise ValueError(f"EVENT_STREAM_MAX_BYTES must be a number of bytes, at least 1000000, "
                         f"not {value!r}")
    return int(value)


def weakness(value: str) -> str | None:
    """Why ``value`` cannot be a secret, or None when it can."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    folded = "".join(c for c in value.lower() if c.isalnum())
    if any(word in folded for word in PLACEHOLDERS):
        return "a placeholder"
    if len(set(value)) < 12:
        return "too few different characters to be random"
    return None


def load_for_process(env=None, needs=SECRETS) -> Settings:
    """Settings for a process that serves: load(), after refusing missing or weak secrets
    among ``needs`` (the gateway needs both; services and migrations SECRET_KEY only; see the
    module's docstring). Raises SecretsRefused saying what to set."""
    env = os.environ if env is None else env
    dev = env.get("DEV_SECRETS") == "1"
    problems = []
    for name in needs:
        value = env.get(name) or ""
        if not value:
            if not dev:
                problems.append(f"{name} is not set")
        elif weakness(value):
            problems.append(f"{name} is {weakness(value)}")
    if problems:
        raise SecretsRefused(
            "; ".join(problems) + f". Set {' and '.join(needs)} to long random values (e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`, one each); "
            "only `make run` generates them for you.")
    return load(env, generate=dev)


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
        # billing seals security keys with it when set (else with SECRET_KEY)
        "KEY_ENCRYPTION_KEY": settings.key_encryption_key,
        "RPC_TIMEOUT": settings.rpc_timeout,
        "HEARTBEAT": settings.heartbeat,  # nameko's consumer; its default is 60 s
        "PAYMENTS_PROCESSOR": settings.payments_processor,
        "EVENT_MAX_ATTEMPTS": settings.event_max_attempts,
        "EVENT_RETRY_MAX_DELAY": settings.event_retry_max_delay,
        # billing prints them on each statement's payment stub
        "REMIT_PAYEE": settings.remit_payee,
        "REMIT_ADDRESS": settings.remit_address,
        # billing's collections run suspends accounts this many days past due
        "SUSPEND_AFTER_DAYS": settings.suspend_after_days,
        # billing's toll-fraud guard (billing/fraud_cases.GuardSettings)
        "FRAUD_GUARD": settings.fraud_guard,
        "FRAUD_HIGH_COST_PREFIXES": settings.fraud_high_cost_prefixes,
        # payments announces each autopay draft this many days before it
        "AUTOPAY_NOTICE_DAYS": settings.autopay_notice_days,
    }
