"""The change sequence: one numbered row per committed change to a case (services/changes.py).

Search indexes apply the rows after the last number they hold. Cases that existed before this
revision have no rows; indexes built before it hold them already (and a rebuild reads every
case), so nothing needs to be filled in.

Revision ID: 0002_change_sequence
Revises: 0001_initial
Create Date: 2026-11-28 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_change_sequence'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('casechange',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table('casechange')
