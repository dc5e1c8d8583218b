"""TOTP secrets sealed at rest: wider columns, and secrets stored before sealing are sealed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = ('totp_secret', 'totp_pending_secret')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=64),
                                  type_=sa.String(length=200), existing_nullable=True)
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, totp_secret, totp_pending_secret FROM users "
        "WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL")).all()
    if not rows:
        return  # nothing to seal: no key needed (a fresh database)
    from services.identity.sealing import seal
    from services.runtime import config
    key = config.load().secret_key  # the services' own SECRET_KEY (environment or DATA_DIR)
    for user_id, secret, pending in rows:
        connection.execute(sa.text(
            "UPDATE users SET totp_secret = :s, totp_pending_secret = :p WHERE id = :id"),
            {"s": seal(secret, key), "p": seal(pending, key), "id": user_id})


def downgrade():
    # sealed values do not fit 64 characters: 2-step sign-in is turned off for everyone
    op.execute("UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, "
               "totp_last_step = NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=200),
                                  type_=sa.String(length=64), existing_nullable=True)
