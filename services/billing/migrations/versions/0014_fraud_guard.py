"""the toll-fraud guard (issue 16): each account's ``call_guards`` row (international
calling blocked or not, its calling profile) and ``fraud_cases``, one per suspicious load

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'call_guards',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('international_blocked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('international_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('international_changed_by', sa.String(length=36), nullable=True),
        sa.Column('profile', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id'))
    op.create_table(
        'fraud_cases',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('load_key', sa.String(length=64), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('learned', sa.JSON(), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('marked_by', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'load_key', name='uq_fraud_cases_load'))
    with op.batch_alter_table('fraud_cases', schema=None) as batch_op:
        batch_op.create_index('ix_fraud_cases_account', ['account_id', 'raised_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_fraud_cases_status', ['status', 'raised_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('fraud_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_fraud_cases_status')
        batch_op.drop_index('ix_fraud_cases_account')
    op.drop_table('fraud_cases')
    op.drop_table('call_guards')
