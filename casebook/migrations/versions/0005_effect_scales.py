"""An effect says whether it scales with population (`effect.scales`).

NULL means "decide from the effect's kind, unit and period"; true or false is a curator's choice.

Revision ID: 0005_effect_scales
Revises: 0004_sources_dates_figures
Create Date: 2026-12-01 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_effect_scales'
down_revision = '0004_sources_dates_figures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('effect') as batch:
        batch.add_column(sa.Column('scales', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('effect') as batch:
        batch.drop_column('scales')
