"""The contact message's topic; reference numbers never given twice.

`topic` is the optional subject the visitor chose (demo, quote, support, partnership, other).

A reference is made from the row's id (KOKI-2026-00042, KOKI-R-2026-00007). PostgreSQL takes ids
from a sequence, which never goes back; SQLite, without AUTOINCREMENT, takes the largest id + 1,
so erasing the newest message gave its number to the next one. On SQLite the two tables are
rebuilt with AUTOINCREMENT (the copy keeps every id, and SQLite's counter starts at the largest);
an id erased before this migration, above every id left, may still come back once.

Revision ID: 0011_topic_and_references
Revises: 0010_addresses_case_insensitive
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_topic_and_references'  # 32 characters at most: Alembic's column
down_revision = '0010_addresses_case_insensitive'
branch_labels = None
depends_on = None

NUMBERED = ('contact_message', 'rights_request')  # the tables whose id makes a reference


def upgrade():
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
