"""Several sources per case, dates with a precision, exact effect figures, prefecture-wide participants.

- `casesource`: a case's sources in order (title, publisher, date, url). Each case's one source
  (`case.source_*`) becomes its first row; the columns are then dropped.
- `case.event_date` and the sources' dates are ISO text with a precision: 2018-10-02, 2018-10
  or 2018 (a Date column cannot hold a month alone).
- `effect.value_low` / `value_high` are exact decimals (NUMERIC(24, 6)), no longer binary floats;
  `effect.unit` holds up to 30 characters (rates such as 円/トン).
- `participant.covers`: "all_municipalities" for a participant that stands for every
  municipality of its prefecture.

The `case` table is altered with plain ADD/DROP COLUMN (SQLite 3.35+), never copied and
recreated: with foreign keys on, dropping it would delete every participant, effect and revision.

Revision ID: 0004_sources_dates_figures
Revises: 0003_integrity
Create Date: 2026-12-01 15:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_sources_dates_figures'
down_revision = '0003_integrity'
branch_labels = None
depends_on = None

def _source_columns() -> list[sa.Column]:
    return [sa.Column('source_title', sa.String(length=300), nullable=False, server_default=''),
            sa.Column('source_publisher', sa.String(length=200), nullable=False, server_default=''),
            sa.Column('source_date', sa.Date(), nullable=True),
            sa.Column('source_url', sa.String(length=500), nullable=False, server_default='')]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _date_text(column: str) -> str:
    # A stored date as ISO text (SQLite keeps dates as text already).
    return column if _sqlite() else f"to_char({column}, 'YYYY-MM-DD')"


def _retype_case_column(name: str, new_type, old_as_new: str) -> None:
    """Change the type of a column of `case` without recreating the table (see the module's note)."""
    if not _sqlite():
        op.alter_column('case', name, type_=new_type, postgresql_using=old_as_new)
        return
    op.add_column('case', sa.Column(f'{name}_new', new_type, nullable=True))
    op.execute(f'UPDATE "case" SET {name}_new = {old_as_new}')
    op.drop_column('case', name)
    op.add_column('case', sa.Column(name, new_type, nullable=True))
    op.execute(f'UPDATE "case" SET {name} = {name}_new')
    op.drop_column('case', f'{name}_new')


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('casesource',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('publisher', sa.String(length=200), nullable=False),
        sa.Column('date', sa.String(length=10), nullable=True),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'position', name='uq_casesource_case_position'),
    )
    op.create_index(op.f('ix_casesource_case_id'), 'casesource', ['case_id'], unique=False)
    op.execute(
        'INSERT INTO casesource (case_id, position, title, publisher, date, url) '
        f'SELECT id, 0, source_title, source_publisher, {_date_text("source_date")}, source_url FROM "case" '
        "WHERE source_title <> '' OR source_publisher <> '' OR source_url <> '' OR source_date IS NOT NULL")
    for column in ('source_title', 'source_publisher', 'source_date', 'source_url'):
        op.drop_column('case', column)
    _retype_case_column('event_date', sa.String(length=10), _date_text('event_date'))
    with op.batch_alter_table('effect') as batch:
        batch.alter_column('value_low', type_=sa.Numeric(24, 6), existing_nullable=True)
        batch.alter_column('value_high', type_=sa.Numeric(24, 6), existing_nullable=True)
        batch.alter_column('unit', type_=sa.String(length=30), existing_nullable=False)
    op.add_column('participant', sa.Column('covers', sa.String(length=30), nullable=True))


def downgrade() -> None:
    """Undo this revision: the first source goes back onto the case; later sources are lost."""
    op.drop_column('participant', 'covers')
    with op.batch_alter_table('effect') as batch:
        batch.alter_column('unit', type_=sa.String(length=20), existing_nullable=False)
        batch.alter_column('value_high', type_=sa.Float(), existing_nullable=True)
        batch.alter_column('value_low', type_=sa.Float(), existing_nullable=True)
    # A month or year alone has no day: it becomes the first day of the month or year.
    first_day = ("CASE WHEN length(event_date) = 4 THEN event_date || '-01-01' "
                 "WHEN length(event_date) = 7 THEN event_date || '-01' ELSE event_date END")
    _retype_case_column('event_date', sa.Date(), first_day if _sqlite() else f"({first_day})::date")
    for column in _source_columns():
        op.add_column('case', column)
    source_day = first_day.replace("event_date", "s.date")
    op.execute(
        'UPDATE "case" SET source_title = s.title, source_publisher = s.publisher, source_url = s.url, '
        f"source_date = {source_day if _sqlite() else f'({source_day})::date'} "
        'FROM casesource AS s WHERE s.case_id = "case".id AND s.position = 0')
    op.drop_index(op.f('ix_casesource_case_id'), table_name='casesource')
    op.drop_table('casesource')
