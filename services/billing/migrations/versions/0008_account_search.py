"""accounts.status, and what the staff search (billing/search.py) looks accounts up by

* ``status``: active | suspended | closed, every account active (suspension and closure
  come later in issue 15);
* ``company_name_key`` and ``email_key``: the name and email case-folded by Python
  (models.search_key), filled here for existing accounts; ``company_name_key`` is in byte
  order ("C" collation) on PostgreSQL so that its index, led by it and then the id, serves
  ``LIKE 'prefix%'`` and the search's keyset order;
* indexes on those two and on ``phone`` (kept in E.164 since the first revision).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    key_type = sa.String(120).with_variant(sa.String(120, collation="C"), "postgresql")
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False,
                                      server_default='active'))
        batch_op.add_column(sa.Column('company_name_key', key_type, nullable=True))
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), nullable=True))
    connection = op.get_bind()
    last = 0
    # Python's casefold, in batches (the database's lower() is not the same), cut to the
    # columns' widths as models.search_key cuts them: folding can lengthen a name ("ß": "ss")
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, company_name, email FROM accounts WHERE id > :last ORDER BY id "
            "LIMIT :n"), {"last": last, "n": BATCH}).all()
        if not rows:
            break
        connection.execute(sa.text(
            "UPDATE accounts SET company_name_key = :name, email_key = :email WHERE id = :id"),
            [{"id": r.id, "name": r.company_name.casefold()[:120],
              "email": r.email.casefold()[:254]}
             for r in rows])
        last = rows[-1].id
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('company_name_key', existing_type=key_type, nullable=False)
        batch_op.alter_column('email_key', existing_type=sa.String(length=254), nullable=False)
        batch_op.create_index('ix_accounts_company_name_key', ['company_name_key', 'id'])
        batch_op.create_index('ix_accounts_email_key', ['email_key'])
        batch_op.create_index('ix_accounts_phone', ['phone'])


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_phone')
        batch_op.drop_index('ix_accounts_email_key')
        batch_op.drop_index('ix_accounts_company_name_key')
        batch_op.drop_column('email_key')
        batch_op.drop_column('company_name_key')
        batch_op.drop_column('status')
