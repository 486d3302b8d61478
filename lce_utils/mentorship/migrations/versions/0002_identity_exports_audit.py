"""Pending applications (same e-mail, another name), e-mail confirmation codes, export file registry, audit log.

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
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='active'))
        batch.add_column(sa.Column('flag', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('submitted_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('submitted_organisation', sa.String(length=160), nullable=True))
        batch.create_index('ix_applications_status', ['status'])
    op.create_table('confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id')
    )
    op.create_table('export_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    op.create_index('ix_export_files_created_at', 'export_files', ['created_at'])
    op.create_table('export_file_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_file_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['export_file_id'], ['export_files.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('export_file_id', 'person_id')
    )
    op.create_index('ix_export_file_people_person_id', 'export_file_people', ['person_id'])
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_export_file_people_person_id', table_name='export_file_people')
    op.drop_table('export_file_people')
    op.drop_index('ix_export_files_created_at', table_name='export_files')
    op.drop_table('export_files')
    op.drop_table('confirmations')
    with op.batch_alter_table('applications') as batch:
        batch.drop_index('ix_applications_status')
        batch.drop_column('submitted_organisation')
        batch.drop_column('submitted_name')
        batch.drop_column('flag')
        batch.drop_column('status')
