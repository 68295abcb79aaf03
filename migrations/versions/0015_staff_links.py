"""Staff links: the one login or enrolment link of an account that is valid now.

A mailed or printed link carries this nonce; using the link clears it, so each link works once.

Revision ID: 0015_staff_links
Revises: 0014_backups_settings_two_factor
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_staff_links'
down_revision = '0014_backups_settings_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_nonce', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_column('link_nonce')
