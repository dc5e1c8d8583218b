"""method attempts: cards and bank accounts handed to the processor, so many an hour per
account (no card testing through the portal)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('method_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_number', sa.String(length=16), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('method_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_method_attempts_account', ['account_number', 'attempted_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('method_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_method_attempts_account')
    op.drop_table('method_attempts')
