"""email_changes: an email change waiting for the link mailed to the new address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_changes',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('email_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_changes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_changes_user_id'))
    op.drop_table('email_changes')
