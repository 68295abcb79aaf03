"""Newsletter addresses lower-cased: one subscription per address, whatever its case.

The model stores the address lower-cased, so the existing unique constraint on the column holds
for every case (a unique index on lower(email) would do the same, but Alembic cannot compare an
expression index on SQLite, and `flask db check` would warn). Rows that differ only by case are
merged first: the most advanced one is kept (confirmed over pending, then the oldest), the others
are deleted with the confirmation mail still waiting for them, and a restriction on any of them
stays on the one kept. The folding is Python's, as the application's.

Revision ID: 0010_addresses_case_insensitive
Revises: 0009_staff_login_failures
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_addresses_case_insensitive'
down_revision = '0009_staff_login_failures'
branch_labels = None
depends_on = None

subscription = sa.table(
    'newsletter_subscription',
    sa.column('id', sa.Integer),
    sa.column('email', sa.String),
    sa.column('status', sa.String),
    sa.column('restricted', sa.Boolean),
)
outbox = sa.table('mail_outbox', sa.column('ref', sa.String))
ADVANCE = {'confirmed': 0, 'pending': 1}  # the lower, the further along


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(subscription).where(subscription.c.email.is_not(None)).order_by(subscription.c.id)
    ).all()
    by_address = {}
    for row in rows:
        by_address.setdefault(row.email.lower(), []).append(row)
    for address, group in by_address.items():
        kept, *others = sorted(group, key=lambda row: (ADVANCE.get(row.status, 2), row.id))
        if others:
            ids = [row.id for row in others]
            refs = [f'newsletter:{row_id}' for row_id in ids]
            connection.execute(sa.delete(outbox).where(outbox.c.ref.in_(refs)))
            connection.execute(sa.delete(subscription).where(subscription.c.id.in_(ids)))
        values = {}
        if kept.email != address:
            values['email'] = address
        if any(row.restricted for row in group) and not kept.restricted:
            values['restricted'] = True
        if values:
            connection.execute(sa.update(subscription).where(subscription.c.id == kept.id).values(**values))


def downgrade():
    pass  # the addresses stay lower-cased, and merged rows do not come back: nothing to undo
