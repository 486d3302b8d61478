"""Consents to the network directory and the anonymous feedback form's answers (issue 17).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('text_version', sa.String(length=32), nullable=False),
    sa.Column('surface', sa.String(length=64), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id'),
    sa.UniqueConstraint('reference')
    )
    op.create_table('learner_feedback',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('context', sa.String(length=160), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('useful', sa.Integer(), nullable=False),
    sa.Column('hard', sa.Integer(), nullable=False),
    sa.Column('what_hard', sa.Text(), nullable=True),
    sa.Column('what_useful', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key'),
    sqlite_with_rowid=False
    )
    op.create_index('ix_learner_feedback_context', 'learner_feedback', ['context'])


def downgrade() -> None:
    op.drop_index('ix_learner_feedback_context', 'learner_feedback')
    op.drop_table('learner_feedback')
    op.drop_table('directory_consents')
