"""usage alerts: each account's thresholds and bill-shock setting (``usage_alert_settings``)
and the alerts raised, one per account, cycle and threshold (``usage_alert_notices``)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'usage_alert_settings',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('thresholds_cents', sa.String(length=200), nullable=False),
        sa.Column('bill_shock', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.String(length=36), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id'))
    op.create_table(
        'usage_alert_notices',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('cycle_start', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('threshold_cents', sa.Integer(), nullable=False),
        sa.Column('usage_cents', sa.Integer(), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', 'cycle_start', 'kind', 'threshold_cents'))


def downgrade():
    op.drop_table('usage_alert_notices')
    op.drop_table('usage_alert_settings')
