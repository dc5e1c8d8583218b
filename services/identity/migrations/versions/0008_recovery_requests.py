"""recovery_requests: forgot-password and forgot-username requests recorded with their
allowance, so a process dying before the lookup and mail loses none

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('identifier', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_requests_done_at'), ['done_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('recovery_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_requests_done_at'))
    op.drop_table('recovery_requests')
