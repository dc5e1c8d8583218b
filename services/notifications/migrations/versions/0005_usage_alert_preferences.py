"""usage alerts in notification preferences: ``usage_alerts_email`` (on) and
``usage_alerts_sms`` (off), the defaults of every category, for users who already have a row

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_preferences') as batch_op:
        batch_op.add_column(sa.Column('usage_alerts_email', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column('usage_alerts_sms', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('notification_preferences') as batch_op:
        batch_op.drop_column('usage_alerts_sms')
        batch_op.drop_column('usage_alerts_email')
