"""sessions.last_seen_at: when a session was last used (refreshed, or confirmed by a gateway),
for the signed-in user's list of sessions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    # sessions open before this column: last seen when they opened (all we know)
    op.execute(sa.text("UPDATE sessions SET last_seen_at = created_at"))


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
