"""Alembic environment for the case store (its own version table, so it may share a database)."""

from __future__ import annotations

from alembic import context

from lce_utils.database import run_alembic_env
from lce_utils.knowledge.cases import Base

run_alembic_env(context, Base.metadata, lock_key=4711517, version_table="knowledge_alembic_version")
