"""Integrity under concurrency: unique revision numbers and row positions, revocable sessions.

- `revision (case_id, number)` is unique: a version is saved once (optimistic locking, issue 14).
- `participant` and `effect` `(case_id, position)` are unique: two racing saves cannot both add
  their rows to one case. Rows that such a race already duplicated are removed first, keeping
  the newest row of each place (the last save's).
- `user.session_generation`: sign-in sessions carry it; raising it ends every session of the user.

Revision ID: 0003_integrity
Revises: 0002_change_sequence
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_integrity'
down_revision = '0002_change_sequence'
branch_labels = None
depends_on = None


def _drop_duplicate_rows(table: str) -> None:
    op.execute(f"DELETE FROM {table} WHERE id NOT IN "
               f"(SELECT MAX(id) FROM {table} GROUP BY case_id, position)")


def upgrade() -> None:
    """Apply this revision."""
    duplicates = op.get_bind().execute(sa.text(
        "SELECT case_id, number FROM revision GROUP BY case_id, number HAVING COUNT(*) > 1")).fetchall()
    if duplicates:
        listed = ", ".join(f"case {c} version {n}" for c, n in duplicates[:20])
        raise RuntimeError("Two revisions share a number (a lost update before this release): "
                           f"{listed}. Renumber or remove them, then upgrade again.")
    for table in ("participant", "effect"):
        _drop_duplicate_rows(table)
    with op.batch_alter_table('revision') as batch:
        batch.create_unique_constraint('uq_revision_case_number', ['case_id', 'number'])
    with op.batch_alter_table('participant') as batch:
        batch.create_unique_constraint('uq_participant_case_position', ['case_id', 'position'])
    with op.batch_alter_table('effect') as batch:
        batch.create_unique_constraint('uq_effect_case_position', ['case_id', 'position'])
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('user') as batch:
        batch.drop_column('session_generation')
    for table, name in (('effect', 'uq_effect_case_position'), ('participant', 'uq_participant_case_position'),
                        ('revision', 'uq_revision_case_number')):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_='unique')
