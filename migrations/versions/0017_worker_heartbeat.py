"""The worker's heartbeat: when the worker of each host last went round its loop.

Revision ID: 0017_worker_heartbeat
Revises: 0016_staff_display_name
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_worker_heartbeat'
down_revision = '0016_staff_display_name'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeat',
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('host')
    )


def downgrade():
    op.drop_table('worker_heartbeat')
