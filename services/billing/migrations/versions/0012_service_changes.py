"""service changes with proration: ``service_changes`` and their prorated lines waiting for
the next statement (``service_change_lines``, picked up by the bill run)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'service_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('effective_date', sa.Date(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('requested_by', sa.String(length=10), nullable=False),
        sa.Column('actor_user_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_service_changes_account', 'service_changes',
                    ['account_id', 'effective_date'])
    op.create_table(
        'service_change_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('product_code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=6), nullable=False),
        sa.Column('section', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=120), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['change_id'], ['service_changes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_service_change_lines_change_id', 'service_change_lines', ['change_id'])
    op.create_index('ix_service_change_lines_pending', 'service_change_lines',
                    ['account_id', 'statement_id'])


def downgrade():
    op.drop_table('service_change_lines')
    op.drop_table('service_changes')
