"""identity's tables."""
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from services.runtime import service_tables

Base = service_tables.declarative_base()
metadata = Base.metadata


class User(Base):
    """An online ID. Usernames are unique case-insensitively (``username_key``)."""
    __tablename__ = "users"
    id = Column(String(36), primary_key=True)
    username = Column(String(32), nullable=False)
    username_key = Column(String(32), nullable=False, unique=True)   # lower-cased
    email = Column(String(254), nullable=False)
    email_key = Column(String(254), nullable=False, index=True)      # lower-cased
    first_name = Column(String(60), nullable=False)
    last_name = Column(String(60), nullable=False)
    password_hash = Column(String(200), nullable=False)  # argon2id, parameters inside
    challenge_question_id = Column(Integer)
    challenge_answer_hash = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False)
    password_changed_at = Column(DateTime(timezone=True), nullable=False)
    security_code_hash = Column(String(200))  # argon2id of the 4-digit code
    sign_in_alerts = Column(Boolean, nullable=False, default=False, server_default="0")
    require_code_for_payments = Column(Boolean, nullable=False, default=False,
                                       server_default="0")
    # sealed at rest (sealing.py): it must be read back to check a code, so it cannot be hashed
    totp_secret = Column(String(200))          # set once 2-step sign-in is confirmed
    totp_pending_secret = Column(String(200))  # set up, not yet confirmed
    totp_last_step = Column(Integer)          # the last time step used: codes work once


class Membership(Base):
    """A user's role on a business account."""
    __tablename__ = "memberships"
    user_id = Column(String(36), ForeignKey("users.id"), primary_key=True)
    account_number = Column(String(16), primary_key=True, index=True)
    role = Column(String(10), nullable=False)  # admin | billing | viewer
    created_at = Column(DateTime(timezone=True), nullable=False)


class AccountClaim(Base):
    """The first online ID of an account: its primary key makes two racing sign-ups on the
    same account end with one admin, not two."""
    __tablename__ = "account_claims"
    account_number = Column(String(16), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class Session(Base):
    """A signed-in session: what access and refresh tokens belong to."""
    __tablename__ = "sessions"
    id = Column(String(36), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    ended_at = Column(DateTime(timezone=True), index=True)
    ended_reason = Column(String(30))
    ip = Column(String(64))
    user_agent = Column(String(200))
    # refreshed, or confirmed by a gateway; written at most every sessions.SEEN_EVERY
    last_seen_at = Column(DateTime(timezone=True))


class RefreshToken(Base):
    """An opaque refresh token, stored as its SHA-256 (it has 256 random bits: no need for a
    slow hash). ``spent_at`` set once it was exchanged; showing it again ends the session."""
    __tablename__ = "refresh_tokens"
    token_hash = Column(String(64), primary_key=True)
    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    spent_at = Column(DateTime(timezone=True))


class PasswordReset(Base):
    """A single-use password reset token, stored as its SHA-256."""
    __tablename__ = "password_resets"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))


class EmailChange(Base):
    """An email change waiting for the link mailed to the new address (single use, SHA-256)."""
    __tablename__ = "email_changes"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    new_email = Column(String(254), nullable=False)
    session_id = Column(String(36))  # the session that asked: it goes on, the others end
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))


class SignInFailures(Base):
    """Failed sign-ins per key (``user:<username>`` or ``ip:<address>``) in the current hour."""
    __tablename__ = "sign_in_failures"
    key = Column(String(120), primary_key=True)
    count = Column(Integer, nullable=False)
    window_started_at = Column(DateTime(timezone=True), nullable=False)
    last_failed_at = Column(DateTime(timezone=True), nullable=False)
    locked_event_sent = Column(Integer, nullable=False, default=0)


class RecoveryCode(Base):
    """A 2-step recovery code, stored as SHA-256 (50 random bits each, shown once)."""
    __tablename__ = "recovery_codes"
    code_hash = Column(String(64), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))


class KnownDevice(Base):
    """A browser and address a user signed in from (SHA-256 of both): sign-in alerts are for
    new ones."""
    __tablename__ = "known_devices"
    user_id = Column(String(36), ForeignKey("users.id"), primary_key=True)
    fingerprint = Column(String(64), primary_key=True)
    first_seen_at = Column(DateTime(timezone=True), nullable=False)


class Invitation(Base):
    """An invitation to an account, its token stored as SHA-256; single-use, 7 days."""
    __tablename__ = "invitations"
    token_hash = Column(String(64), primary_key=True)
    id = Column(String(36), nullable=False, unique=True, index=True)  # what admins see
    account_number = Column(String(16), nullable=False, index=True)
    email = Column(String(254), nullable=False)
    role = Column(String(10), nullable=False)
    invited_by = Column(String(36), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    accepted_at = Column(DateTime(timezone=True))
    accepted_user_id = Column(String(36))
    revoked_at = Column(DateTime(timezone=True))
    revoked_reason = Column(String(30))  # revoked | inviter_removed | inviter_demoted


class AuditEntry(Base):
    """Who changed what, when and from where: security settings and users (recorded here),
    and profile, delivery, payment methods and autopay (from billing's and payments' events).
    ``event_id`` is unique so a redelivered event is recorded once."""
    __tablename__ = "audit_entries"
    id = Column(String(36), primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, index=True)
    account_number = Column(String(16), index=True)   # None: a user's own settings
    subject_user_id = Column(String(36), index=True)  # whose settings, or which user
    actor_user_id = Column(String(36))
    action = Column(String(60), nullable=False)
    detail = Column(Text, nullable=False, default="")
    ip = Column(String(64))
    user_agent = Column(String(200))
    source = Column(String(20), nullable=False)
    event_id = Column(String(36), unique=True)


class RecoveryRequest(Base):
    """A forgot-password or forgot-username request, recorded with its allowance so that a
    process dying before the lookup and mail loses nothing (recovery_requests.py). What was
    typed is kept only until the request is done."""
    __tablename__ = "recovery_requests"
    id = Column(String(36), primary_key=True)
    kind = Column(String(20), nullable=False)       # password_reset | username_reminder
    identifier = Column(Text)   # the username or email as typed (any length); None once done
    ip = Column(String(64))                         # None once done
    requested_at = Column(DateTime(timezone=True), nullable=False)
    claimed_at = Column(DateTime(timezone=True))    # a worker took it (a lease: see GRACE)
    done_at = Column(DateTime(timezone=True), index=True)


class Passkey(Base):
    """A WebAuthn credential (passkey) of a user: its public key (COSE), never a secret. The
    signature counter only ever grows; a lower one means a cloned authenticator."""
    __tablename__ = "passkeys"
    id = Column(String(36), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    credential_id = Column(String(1400), nullable=False, unique=True)  # base64url
    public_key = Column(Text, nullable=False)  # base64url COSE key
    sign_count = Column(Integer, nullable=False, default=0)
    transports = Column(String(200), nullable=False, default="")  # comma separated
    name = Column(String(60), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    last_used_at = Column(DateTime(timezone=True))


class WebauthnChallenge(Base):
    """A WebAuthn challenge handed to a browser: single use, 5 minutes, for one purpose
    (register | sign_in | second_step) and, for a registration, one user."""
    __tablename__ = "webauthn_challenges"
    id = Column(String(36), primary_key=True)
    user_id = Column(String(36), ForeignKey("users.id"), index=True)
    purpose = Column(String(12), nullable=False)
    challenge = Column(String(120), nullable=False)  # base64url
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)
    used_at = Column(DateTime(timezone=True))
