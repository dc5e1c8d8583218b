"""disputes: a customer's dispute of one statement line (issue 15)

One open dispute per line (a partial unique index on ``line_id`` where ``status = 'open'``,
which SQLite and PostgreSQL both keep); listed per account and, for staff, by status.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OPEN_ONLY = sa.text("status = 'open'")


def upgrade():
    op.create_table('disputes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_by', sa.String(length=36), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.String(length=500), nullable=True),
    sa.Column('credit_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['statement_lines.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index('uq_disputes_open_line', ['line_id'], unique=True,
                              sqlite_where=OPEN_ONLY, postgresql_where=OPEN_ONLY)
        batch_op.create_index('ix_disputes_account', ['account_id', 'opened_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_disputes_status', ['status', 'opened_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index('ix_disputes_status')
        batch_op.drop_index('ix_disputes_account')
        batch_op.drop_index('uq_disputes_open_line')
    op.drop_table('disputes')
