"""Questions about a case to the secretariat (filled in by the inquiries work).

Revision ID: 0008_inquiries
Revises: 0007_alerts
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

revision = '0008_inquiries'
down_revision = '0007_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
