"""The initial schema: every table of casebook/models.py as of issue 9.

Generated with autogenerate against an empty database, then reviewed: SQLModel's own types are
written as the plain SQLAlchemy types they create (AutoString = String, UTCDateTime =
DateTime(timezone=True)), so this file never changes when SQLModel does.

Revision ID: 0001_initial
Revises: -
Create Date: 2026-11-28 15:23:45.400055
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('background', sa.Text(), nullable=False),
        sa.Column('approach', sa.Text(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('themes', sa.JSON(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('start_fiscal_year', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=20), nullable=False),
        sa.Column('source_title', sa.String(length=300), nullable=False),
        sa.Column('source_publisher', sa.String(length=200), nullable=False),
        sa.Column('source_date', sa.Date(), nullable=True),
        sa.Column('source_url', sa.String(length=500), nullable=False),
        sa.Column('event_name', sa.String(length=300), nullable=False),
        sa.Column('event_date', sa.Date(), nullable=True),
        sa.Column('contact', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_case_slug', 'case', ['slug'], unique=True)
    op.create_index('ix_case_status', 'case', ['status'], unique=False)

    op.create_table('loginattempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_loginattempt_address', 'loginattempt', ['address'], unique=False)
    op.create_index('ix_loginattempt_at', 'loginattempt', ['at'], unique=False)
    op.create_index('ix_loginattempt_email', 'loginattempt', ['email'], unique=False)

    op.create_table('masterinfo',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key')
    )
    op.create_table('municipality',
        sa.Column('code', sa.String(length=6), nullable=False),
        sa.Column('prefecture', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kana', sa.String(length=200), nullable=False),
        sa.Column('population', sa.Integer(), nullable=False),
        sa.Column('population_year', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('region', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('code')
    )
    op.create_index('ix_municipality_kana', 'municipality', ['kana'], unique=False)
    op.create_index('ix_municipality_name', 'municipality', ['name'], unique=False)
    op.create_index('ix_municipality_prefecture', 'municipality', ['prefecture'], unique=False)

    op.create_table('theme',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code')
    )
    op.create_table('user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('password_hash', sa.String(length=300), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_user_email', 'user', ['email'], unique=True)

    op.create_table('apitoken',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_apitoken_token_hash', 'apitoken', ['token_hash'], unique=True)
    op.create_index('ix_apitoken_user_id', 'apitoken', ['user_id'], unique=False)

    op.create_table('auditentry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_auditentry_action', 'auditentry', ['action'], unique=False)
    op.create_index('ix_auditentry_at', 'auditentry', ['at'], unique=False)

    op.create_table('effect',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('direction', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('amount', sa.String(length=100), nullable=False),
        sa.Column('value_low', sa.Float(), nullable=True),
        sa.Column('value_high', sa.Float(), nullable=True),
        sa.Column('unit', sa.String(length=20), nullable=False),
        sa.Column('qualifier', sa.String(length=10), nullable=False),
        sa.Column('yen', sa.BigInteger(), nullable=True),
        sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('wording', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_effect_case_id', 'effect', ['case_id'], unique=False)

    op.create_table('participant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=6), nullable=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('prefecture', sa.String(length=10), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.Column('population_year', sa.Integer(), nullable=True),
        sa.Column('population_source', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_participant_case_id', 'participant', ['case_id'], unique=False)

    op.create_table('pendingimport',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_label', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_revision_case_id', 'revision', ['case_id'], unique=False)


def downgrade() -> None:
    """Undo this revision: drop every table (their indexes go with them)."""
    op.drop_table('revision')
    op.drop_table('pendingimport')
    op.drop_table('participant')
    op.drop_table('effect')
    op.drop_table('auditentry')
    op.drop_table('apitoken')
    op.drop_table('user')
    op.drop_table('theme')
    op.drop_table('municipality')
    op.drop_table('masterinfo')
    op.drop_table('loginattempt')
    op.drop_table('case')
