"""The mentorship programme: store, validation, matching, exports and outcome tables behind one public API."""

from typing import Any

from lce_utils.mentorship.models import Application
from lce_utils.mentorship.store import (
    PersonNotFound,
    audit_events,
    current_matches,
    default_url,
    erase,
    erase_person,
    exclude_match,
    export_person,
    get_engine,
    give_feedback,
    list_applications,
    log_session,
    purge,
    purge_older_than,
    run_matching,
    set_locked,
    submit_application,
)
from lce_utils.mentorship.validation import ValidationError

__all__ = [
    "Application", "PersonNotFound", "ValidationError", "audit_events", "current_matches", "default_url", "erase",
    "erase_person", "exclude_match", "export_person", "get_engine", "give_feedback", "list_applications",
    "log_session", "outcome_tables", "purge", "purge_older_than", "run_matching", "set_locked",
    "submit_application",
]


def __getattr__(name: str) -> Any:
    # outcome_tables needs pandas: imported on first use, so the apps' kernels start faster.
    if name == "outcome_tables":
        from lce_utils.mentorship.aggregates import outcome_tables

        return outcome_tables
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
