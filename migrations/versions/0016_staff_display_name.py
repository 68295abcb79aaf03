"""Staff display name: the name a reply is signed with ("Claire Martin"), optional.

Revision ID: 0016_staff_display_name
Revises: 0015_staff_links
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_staff_display_name'
down_revision = '0015_staff_links'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_column('display_name')
