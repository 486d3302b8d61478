"""Attendance, attestations and the participant page's personal codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['programme_participations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participation_id', 'activity', 'month')
    )
    with op.batch_alter_table('programme_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_attendance_participation_id'),
                              ['participation_id'], unique=False)

    op.create_table('programme_attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('attested_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['programme_participations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_attestations_participation_id'),
                              ['participation_id'], unique=False)

    # A plain ADD COLUMN and a unique index: SQLite's batch mode would copy and drop programme_people, and with
    # foreign keys on, dropping it deletes every participation through ON DELETE CASCADE.
    op.add_column('programme_people', sa.Column('code_hash', sa.String(length=64), nullable=True))
    op.create_index('uq_programme_people_code_hash', 'programme_people', ['code_hash'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_programme_people_code_hash', table_name='programme_people')
    op.drop_column('programme_people', 'code_hash')

    with op.batch_alter_table('programme_attestations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_attestations_participation_id'))

    op.drop_table('programme_attestations')
    with op.batch_alter_table('programme_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_attendance_participation_id'))

    op.drop_table('programme_attendance')
