"""Collections (dunning): the past-due reminders sent, and when an account's status changed

* ``collection_notices``: one row per account, missed invoice and stage (1, 7, 14 days past
  due); its primary key makes each reminder go out once (services/billing/collections.py);
* ``accounts.status_changed_on``: the day the account was last suspended or restored (NULL:
  active since it was opened);
* ``accounts.autopay_retry_on``: the latest day a failed autopay will be tried again (from
  ``payments.payment_failed``); until then collections hold the account's reminders.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'collection_notices',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', 'reference', 'stage'),
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_changed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('autopay_retry_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('autopay_retry_on')
        batch_op.drop_column('status_changed_on')
    op.drop_table('collection_notices')
