"""accounts.security_key_sealed: the security key kept sealed, to print it on every statement

The key was kept only as an argon2id hash, which cannot be turned back into the key, so a
statement could not print it. From this revision the key is also kept sealed (Fernet under the
key-encryption key: KEY_ENCRYPTION_KEY, else SECRET_KEY; services/runtime/sealing.py).

Accounts opened before this revision have only the hash: their key cannot be recovered. This
migration therefore ISSUES EACH OF THEM A NEW SECURITY KEY (hashed and sealed): the old key
stops working at sign-up, and the account's next statement prints the new one. Online IDs
already created are not affected (the key is asked only when creating one); staff can reissue
a key at any time (POST /internal/v1/accounts/{account_number}/security-key).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('security_key_sealed', sa.String(length=200),
                                      nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.text(
        "SELECT id FROM accounts WHERE security_key_sealed IS NULL")).scalars().all()
    if ids:  # a fresh database needs no key
        from services.billing import keys
        from services.runtime import config
        settings = config.load()  # the services' own keys (environment or DATA_DIR)
        kek = settings.key_encryption_key or settings.secret_key
        for account_id in ids:
            _key, key_hash, sealed = keys.issue(kek)  # the old key cannot be recovered
            connection.execute(sa.text(
                "UPDATE accounts SET security_key_hash = :h, security_key_sealed = :s "
                "WHERE id = :id"), {"h": key_hash, "s": sealed, "id": account_id})
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('security_key_sealed', existing_type=sa.String(length=200),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('security_key_sealed')
