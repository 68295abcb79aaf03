"""The back office for a working day: inbox search, read marks, the visitor's answers by mail,
saved replies and signatures.

- contact_message: `activity_at` (when the visitor last wrote), `search_text` (name, address,
  company and text folded: lower-case, no accents, words only) and `email_key` (the address
  lower-cased), filled here for the messages already stored with the same folding as the app's
  (koki_site/contact/search.py); indexes on (received_at, id) and (status, received_at, id) for
  the inbox's pages and counts, instead of the single-column ones.
- Search index, one per database, outside the models (migrations/env.py leaves them out of
  `flask db check`): PostgreSQL, a generated `search_vector` tsvector ("simple" words plus French
  and English stems, without positions) under a GIN index; SQLite, the FTS5 table `contact_message_fts` over
  search_text (external content) and three triggers that keep it. A later migration that rebuilds
  contact_message on SQLite (batch "recreate") drops the triggers: it must call
  create_sqlite_search() again.
- contact_status_count: messages per status, kept by triggers on contact_message (insert, delete,
  status change), so the inbox counts without reading the table; filled here. The same rebuild
  caveat applies to these triggers (create_status_count_triggers()).
- contact_answer, contact_read, contact_saved_reply, contact_signature.

Revision ID: 0013_back_office
Revises: 0012_worker_and_submissions
Create Date: 2026-12-02 09:00:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_back_office'
down_revision = '0012_worker_and_submissions'
branch_labels = None
depends_on = None

# The app's folding (koki_site/contact/search.py), copied: a revision never imports the app.
WORD = re.compile(r"[^\W_]+")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
SEARCHED = ('first_name', 'last_name', 'email', 'company', 'message')
FTS = 'contact_message_fts'
# Without positions (strip): nothing ranks or searches phrases, and the vector is half the size,
# which is what a search pays for each row it checks.
VECTOR = (
    "strip(to_tsvector('simple'::regconfig, search_text) || to_tsvector('french'::regconfig, search_text)"
    " || to_tsvector('english'::regconfig, search_text))"
)


def fold(value):
    decomposed = unicodedata.normalize('NFKD', value.casefold().translate(LIGATURES))
    plain = ''.join(char for char in decomposed if not unicodedata.combining(char))
    return ' '.join(WORD.findall(plain))


def create_sqlite_search():
    """The FTS5 index of search_text and the triggers that follow contact_message."""
    op.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(search_text, content='contact_message',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON contact_message BEGIN"
        f" INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON contact_message BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF search_text ON contact_message BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
        f" INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


# PostgreSQL: one function for the three triggers; two counters are always taken in the same order
# (their status's alphabetical order), so that two status changes cannot wait for each other.
POSTGRESQL_COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION contact_status_count_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT status, delta FROM (VALUES
            (CASE WHEN TG_OP <> 'INSERT' THEN OLD.status END, -1),
            (CASE WHEN TG_OP <> 'DELETE' THEN NEW.status END, 1)
        ) AS changes (status, delta)
        WHERE status IS NOT NULL ORDER BY status
    LOOP
        INSERT INTO contact_status_count (status, messages) VALUES (change.status, change.delta)
        ON CONFLICT (status) DO UPDATE SET messages = contact_status_count.messages + change.delta;
    END LOOP;
    RETURN NULL;
END $$
"""


def create_status_count_triggers():
    """Triggers that keep contact_status_count as messages come, go and change status."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_COUNT_FUNCTION)
        op.execute(
            'CREATE TRIGGER contact_status_count_insert_delete AFTER INSERT OR DELETE ON contact_message'
            ' FOR EACH ROW EXECUTE FUNCTION contact_status_count_follow()'
        )
        op.execute(
            'CREATE TRIGGER contact_status_count_update AFTER UPDATE OF status ON contact_message FOR EACH ROW'
            ' WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION contact_status_count_follow()'
        )
        return
    bump = (
        "INSERT INTO contact_status_count (status, messages) VALUES ({row}.status, {delta})"
        " ON CONFLICT (status) DO UPDATE SET messages = messages + {delta};"
    )
    op.execute(
        'CREATE TRIGGER IF NOT EXISTS contact_status_count_insert AFTER INSERT ON contact_message BEGIN '
        + bump.format(row='new', delta=1) + ' END'
    )
    op.execute(
        'CREATE TRIGGER IF NOT EXISTS contact_status_count_delete AFTER DELETE ON contact_message BEGIN '
        + bump.format(row='old', delta=-1) + ' END'
    )
    op.execute(
        'CREATE TRIGGER IF NOT EXISTS contact_status_count_update AFTER UPDATE OF status ON contact_message'
        ' WHEN old.status IS NOT new.status BEGIN '
        + bump.format(row='old', delta=-1) + ' ' + bump.format(row='new', delta=1) + ' END'
    )


def upgrade():
    with op.batch_alter_table('contact_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), server_default='', nullable=False))
        batch_op.drop_index('ix_contact_message_received_at')
        batch_op.drop_index('ix_contact_message_status')
        batch_op.create_index('ix_contact_message_received_at_id', ['received_at', 'id'], unique=False)
        batch_op.create_index(
            'ix_contact_message_status_received_at_id', ['status', 'received_at', 'id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_contact_message_email_key'), ['email_key'], unique=False)
    fill_derived_columns()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE contact_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED')
        op.execute('CREATE INDEX ix_contact_message_search_vector ON contact_message USING gin (search_vector)')
    elif op.get_bind().dialect.name == 'sqlite':
        create_sqlite_search()

    op.create_table('contact_status_count',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status')
    )
    op.execute(
        'INSERT INTO contact_status_count (status, messages)'
        ' SELECT status, count(*) FROM contact_message GROUP BY status'
    )
    create_status_count_triggers()

    op.create_table('contact_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=250), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('mail_id', sa.String(length=250), nullable=True),
    sa.Column('dropped', sa.Text(), nullable=True),
    sa.Column('from_html', sa.Boolean(), nullable=False),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['contact_message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_answer_mail_id'), ['mail_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_answer_message_id'), ['message_id'], unique=False)

    op.create_table('contact_read',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['contact_message.id'], ),
    sa.PrimaryKeyConstraint('message_id', 'account_id')
    )
    op.create_table('contact_saved_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('language', 'title')
    )
    op.create_table('contact_signature',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], ),
    sa.PrimaryKeyConstraint('account_id', 'language')
    )


def fill_derived_columns():
    """search_text, email_key and activity_at of the messages already stored, in batches."""
    messages = sa.table(
        'contact_message',
        sa.column('id', sa.Integer),
        sa.column('received_at', sa.DateTime(timezone=True)),
        sa.column('search_text', sa.Text),
        sa.column('email_key', sa.String),
        *(sa.column(name, sa.Text) for name in SEARCHED),
    )
    connection = op.get_bind()
    last = 0
    while rows := connection.execute(
        sa.select(messages).where(messages.c.id > last).order_by(messages.c.id).limit(1000)
    ).all():
        for row in rows:
            text = fold(' '.join(getattr(row, name) or '' for name in SEARCHED))
            connection.execute(
                messages.update()
                .where(messages.c.id == row.id)
                .values(search_text=text, email_key=row.email.lower(), activity_at=row.received_at)
            )
        last = rows[-1].id


def downgrade():
    op.drop_table('contact_signature')
    op.drop_table('contact_saved_reply')
    op.drop_table('contact_read')
    with op.batch_alter_table('contact_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_answer_message_id'))
        batch_op.drop_index(batch_op.f('ix_contact_answer_mail_id'))
    op.drop_table('contact_answer')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER contact_status_count_insert_delete ON contact_message')
        op.execute('DROP TRIGGER contact_status_count_update ON contact_message')
        op.execute('DROP FUNCTION contact_status_count_follow()')
    else:
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS contact_status_count_{trigger}')
    op.drop_table('contact_status_count')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_contact_message_search_vector')
        op.execute('ALTER TABLE contact_message DROP COLUMN search_vector')
    elif op.get_bind().dialect.name == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS {FTS}_{trigger}')
        op.execute(f'DROP TABLE IF EXISTS {FTS}')
    with op.batch_alter_table('contact_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_message_email_key'))
        batch_op.drop_index('ix_contact_message_status_received_at_id')
        batch_op.drop_index('ix_contact_message_received_at_id')
        batch_op.create_index('ix_contact_message_status', ['status'], unique=False)
        batch_op.create_index('ix_contact_message_received_at', ['received_at'], unique=False)
        batch_op.drop_column('email_key')
        batch_op.drop_column('search_text')
        batch_op.drop_column('activity_at')
