"""Initial schema of the programme register.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('programme_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('pnr_token', sa.Text(), nullable=True),
    sa.Column('pnr_lookup', sa.String(length=64), nullable=True),
    sa.Column('coordination_number', sa.Boolean(), nullable=False),
    sa.Column('protected_identity', sa.Boolean(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=False),
    sa.Column('student_id', sa.String(length=64), nullable=True),
    sa.Column('mentorship_email', sa.String(length=254), nullable=True),
    sa.Column('institution', sa.String(length=160), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('pnr_lookup'),
    sa.UniqueConstraint('student_id')
    )
    op.create_table('programme_scb_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_scb_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_scb_exports_month'), ['month'], unique=False)

    op.create_table('programme_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('exit_reason', sa.String(length=32), nullable=True),
    sa.Column('labour_status', sa.String(length=32), nullable=False),
    sa.Column('education', sa.String(length=16), nullable=False),
    sa.Column('third_country_national', sa.Boolean(), nullable=True),
    sa.Column('foreign_background', sa.Boolean(), nullable=True),
    sa.Column('homeless', sa.Boolean(), nullable=True),
    sa.Column('rural', sa.Boolean(), nullable=True),
    sa.Column('disability_token', sa.Text(), nullable=True),
    sa.Column('minority_token', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['programme_people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_participations_entry_date'), ['entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_participations_exit_date'), ['exit_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_participations_person_id'), ['person_id'], unique=False)

    op.create_table('programme_collection_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['programme_participations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_collection_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_collection_attempts_participation_id'),
                              ['participation_id'], unique=False)

    op.create_table('programme_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('job_searching', sa.Boolean(), nullable=False),
    sa.Column('in_education', sa.Boolean(), nullable=False),
    sa.Column('qualification', sa.Boolean(), nullable=False),
    sa.Column('employed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['programme_participations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participation_id', 'stage')
    )
    with op.batch_alter_table('programme_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_results_participation_id'),
                              ['participation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('programme_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_results_participation_id'))

    op.drop_table('programme_results')
    with op.batch_alter_table('programme_collection_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_collection_attempts_participation_id'))

    op.drop_table('programme_collection_attempts')
    with op.batch_alter_table('programme_participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_participations_person_id'))
        batch_op.drop_index(batch_op.f('ix_programme_participations_exit_date'))
        batch_op.drop_index(batch_op.f('ix_programme_participations_entry_date'))

    op.drop_table('programme_participations')
    with op.batch_alter_table('programme_scb_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_scb_exports_month'))

    op.drop_table('programme_scb_exports')
    op.drop_table('programme_people')
    op.drop_table('programme_audit_events')
