"""autopay guardrails: an optional cap on what autopay drafts, and when the pre-draft notice
of an autopay payment went out

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('autopay') as batch:
        batch.add_column(sa.Column('max_amount_cents', sa.Integer(), nullable=True))
    with op.batch_alter_table('payments') as batch:
        batch.add_column(sa.Column('notice_sent_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('payments') as batch:
        batch.drop_column('notice_sent_on')
    with op.batch_alter_table('autopay') as batch:
        batch.drop_column('max_amount_cents')
