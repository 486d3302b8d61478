"""Alembic environment for the programme register (its own version table, so it may share a database)."""

from __future__ import annotations

from alembic import context

from lce_utils.database import run_alembic_env
from lce_utils.programme.models import Base

run_alembic_env(context, Base.metadata, lock_key=4711512, version_table="programme_alembic_version")
