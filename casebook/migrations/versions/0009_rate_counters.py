"""Request counts shared by every worker and server (`ratecounter`, ratelimit_store.py).

Revision ID: 0009_rate_counters
Revises: 0008_inquiries
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_rate_counters'
down_revision = '0008_inquiries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ratecounter',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index(op.f('ix_ratecounter_expires_at'), 'ratecounter', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ratecounter_expires_at'), table_name='ratecounter')
    op.drop_table('ratecounter')
