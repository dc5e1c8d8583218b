"""account closure: one ``closures`` row per closed account, with its final statement

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'closures',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('effective_date', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('balance_cents', sa.Integer(), nullable=False),
        sa.Column('refund_cents', sa.Integer(), nullable=False),
        sa.Column('credit_left_cents', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('actor_user_id', sa.String(length=36), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', name='uq_closures_account'))


def downgrade():
    op.drop_table('closures')
