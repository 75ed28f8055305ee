"""E-mail alerts for saved searches (filled in by the alerts work).

Revision ID: 0007_alerts
Revises: 0006_thesaurus
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

revision = '0007_alerts'
down_revision = '0006_thesaurus'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
