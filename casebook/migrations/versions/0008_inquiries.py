"""Questions about a case to the secretariat (`inquiry`, services/inquiries.py).

One row per question: the asker's name, organisation and address, the question, its status
(new, forwarded, answered, closed, spam), where it was forwarded, the answer, whether a message
to the asker is still unsent, and whether the answer is published on the case (only with the
asker's consent). `casebook inquiries purge` removes the personal data some days after closing.

Revision ID: 0008_inquiries
Revises: 0007_alerts
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_inquiries'
down_revision = '0007_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('inquiry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('consent_to_publish', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('unsent', sa.String(length=20), nullable=False),
        sa.Column('forwarded_to', sa.String(length=254), nullable=False),
        sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('public_question', sa.Text(), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_inquiry_case_id', 'inquiry', ['case_id'], unique=False)
    op.create_index('ix_inquiry_status', 'inquiry', ['status'], unique=False)


def downgrade() -> None:
    """Undo this revision: every question and answer is lost."""
    op.drop_index('ix_inquiry_status', table_name='inquiry')
    op.drop_index('ix_inquiry_case_id', table_name='inquiry')
    op.drop_table('inquiry')
