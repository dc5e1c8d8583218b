"""invitations: a public id (admins list and revoke them) and when and why one was revoked

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:58:00.000000
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=30), nullable=True))
    connection = op.get_bind()
    for (token_hash,) in connection.execute(sa.text("SELECT token_hash FROM invitations")).all():
        connection.execute(sa.text("UPDATE invitations SET id = :id WHERE token_hash = :t"),
                           {"id": str(uuid.uuid4()), "t": token_hash})
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index('ix_invitations_id', ['id'], unique=True)


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_id')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('id')
