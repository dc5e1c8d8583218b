"""calls: one index, the call's identity led by its start time

The unique (account, from, to, start) constraint and the (account, start, id) index become one
unique (account, start, from, to) index: it still makes a repeated call a duplicate, and its
order serves statement periods and the CSV's keyset pages, so ingest maintains one index
instead of two.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:33:02.772300
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_account_time')
        batch_op.drop_constraint('uq_calls_identity', type_='unique')
        batch_op.create_unique_constraint(
            'uq_calls_identity', ['account_id', 'started_at', 'from_number', 'to_number'])


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calls_identity', type_='unique')
        batch_op.create_unique_constraint(
            'uq_calls_identity', ['account_id', 'from_number', 'to_number', 'started_at'])
        batch_op.create_index('ix_calls_account_time', ['account_id', 'started_at', 'id'],
                              unique=False)
