"""invoice_email_verifications: a paperless address waiting for its link; mail_throttle

A new paperless address gets bills only once the link mailed to it is followed; sending
that mail is throttled per recipient and per account (mail_throttle).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invoice_email_verifications',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('account_number', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('invoice_email_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_email_verifications_account_number'),
                              ['account_number'], unique=False)
    op.create_table('mail_throttle',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade():
    op.drop_table('mail_throttle')
    with op.batch_alter_table('invoice_email_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_email_verifications_account_number'))
    op.drop_table('invoice_email_verifications')
