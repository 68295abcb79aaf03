"""Baseline: the schema starts empty; each capability adds its tables in its own revision.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-29
"""

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
