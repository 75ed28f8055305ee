"""Editors' changes to the search thesaurus (`thesaurusentry`) and their counter (`thesaurusversion`).

The reviewed thesaurus stays in the file shipped with casebook (casebook/data/thesaurus.tsv);
these rows are the changes editors make on the curator page over it (search/thesaurus.py):
lines added, shipped lines changed (`replaces` names the shipped line) and shipped lines
removed (`words` empty). `thesaurusversion` holds one row whose number every change raises,
so each process notices a change with one small query and reloads the thesaurus.

Revision ID: 0006_thesaurus
Revises: 0005_effect_scales
Create Date: 2026-12-01 19:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_thesaurus'
down_revision = '0005_effect_scales'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('thesaurusentry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=1), nullable=False),
        sa.Column('words', sa.Text(), nullable=False),
        sa.Column('replaces', sa.String(length=40), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('replaces'),
    )
    version = op.create_table('thesaurusversion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(version, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    """Undo this revision: the editors' changes are lost (export the thesaurus first)."""
    op.drop_table('thesaurusversion')
    op.drop_table('thesaurusentry')
