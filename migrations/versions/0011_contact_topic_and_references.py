"""The contact message's topic; reference numbers never given twice.

`topic` is the optional subject the visitor chose (demo, quote, support, partnership, other).

A reference is made from the row's id (KOKI-2026-00042, KOKI-R-2026-00007). PostgreSQL takes ids
from a sequence, which never goes back; SQLite, without AUTOINCREMENT, takes the largest id + 1,
so erasing the newest message gave its number to the next one. On SQLite the two tables are
rebuilt with AUTOINCREMENT (the copy keeps every id, and SQLite's counter starts at the largest);
an id erased before this migration, above every id left, may still come back once.

On PostgreSQL, `alembic_version.version_num` is widened to 64 characters: this revision's id is
longer than Alembic's default 32.

Revision ID: 0011_contact_topic_and_references
Revises: 0010_addresses_case_insensitive
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_contact_topic_and_references'
down_revision = '0010_addresses_case_insensitive'
branch_labels = None
depends_on = None

NUMBERED = ('contact_message', 'rights_request')  # the tables whose id makes a reference


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        # This revision's id is 33 characters; Alembic's table holds 32 unless told otherwise.
        # Widened first, in this transaction, before Alembic writes the id.
        op.alter_column('alembic_version', 'version_num', type_=sa.String(64), existing_nullable=False)
    with op.batch_alter_table('contact_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=16), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        for table in NUMBERED:
            with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
                pass


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for table in NUMBERED:
            with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': False}):
                pass
    with op.batch_alter_table('contact_message', schema=None) as batch_op:
        batch_op.drop_column('topic')
