"""Participants' consents to the network directory, with what it lists (issue 17).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_directory_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('municipality', sa.String(length=40), nullable=False),
    sa.Column('skills_offered', sa.JSON(), nullable=False),
    sa.Column('skills_wanted', sa.JSON(), nullable=False),
    sa.Column('text_version', sa.String(length=32), nullable=False),
    sa.Column('surface', sa.String(length=64), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['programme_people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id'),
    sa.UniqueConstraint('reference')
    )


def downgrade() -> None:
    op.drop_table('programme_directory_entries')
