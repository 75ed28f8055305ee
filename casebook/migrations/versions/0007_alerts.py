"""E-mail alerts for saved searches (`alertsubscription`, services/alerts.py).

One row per address and search: the search's canonical arguments, the frequency (daily or
weekly), hashes of the confirmation and manage tokens, when it was confirmed, and what the last
digest covered (`watermark_at`, `last_period`, `last_sent_at`; `claimed_until` while a run sends
it). The row is the only place the address is kept: unsubscribing deletes it, and a subscription
never confirmed is deleted after a week (`casebook alerts send` / `casebook alerts purge`).

Revision ID: 0007_alerts
Revises: 0006_thesaurus
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_alerts'
down_revision = '0006_thesaurus'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('alertsubscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('search_key', sa.String(length=64), nullable=False),
        sa.Column('frequency', sa.String(length=10), nullable=False),
        sa.Column('confirm_hash', sa.String(length=64), nullable=True),
        sa.Column('manage_hash', sa.String(length=64), nullable=False),
        sa.Column('manage_nonce', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('watermark_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_period', sa.String(length=12), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('confirm_hash'),
        sa.UniqueConstraint('manage_hash'),
        sa.UniqueConstraint('email', 'search_key', name='uq_alert_email_search'),
    )
    op.create_index('ix_alertsubscription_email', 'alertsubscription', ['email'], unique=False)
    op.create_index('ix_alertsubscription_created_at', 'alertsubscription', ['created_at'], unique=False)


def downgrade() -> None:
    """Undo this revision: every subscription (and its address) is lost."""
    op.drop_index('ix_alertsubscription_created_at', table_name='alertsubscription')
    op.drop_index('ix_alertsubscription_email', table_name='alertsubscription')
    op.drop_table('alertsubscription')
