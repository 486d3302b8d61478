"""A lab run's published figures in a case, by reference: the run's folder (or its name under var/labs/) is read
through the engagement labs' reader of published runs (lce_utils.engagement.run_folder.read_run: metrics.json,
run.json and the already-suppressed tables, never the raw rows), shown with the report site's display helpers, and
recorded for the disclosure auditor under the same cell names as the lab's page on the site (lab/<run>/...), so
that the case and the lab page are audited together."""

from __future__ import annotations

from pathlib import Path

from lce_utils.errors import DataError
from lce_utils.messages import both, pair
from lce_utils.paths import ROOT, VAR
from lce_utils.privacy import DEFAULT_K


def run_folder(lab_run: str) -> Path:
    """A lab run's folder: a path (relative to the repository) or the name of a run under var/labs/."""
    path = Path(lab_run)
    for candidate in (path if path.is_absolute() else ROOT / path, VAR / "labs" / lab_run):
        if (candidate / "metrics.json").is_file():
            return candidate
    raise DataError(both("knowledge_err_no_lab_run", lab_run=repr(lab_run)))


def show_lab_figures(lab_run: str | None, k: int = DEFAULT_K) -> None:
    """Key figures and visits by gender of the lab run lab_run (nothing when it is None)."""
    import pandas as pd

    from lce_utils.engagement.run_folder import read_run
    from lce_utils.reports import disclosure as D
    from lce_utils.reports import display as show

    if lab_run is None:
        return
    run = read_run(run_folder(lab_run))
    name, m = f"lab/{run.folder.name}", run.metrics
    show.key_figures([
        (("Institution", "Institution"), str(run.info.get("institution") or run.folder.name)),
        (("Period", "Period"), f"{m.get('period_start') or '?'} – {m.get('period_end') or '?'}"),
        ("r.col_visits", show.fmt(m.get("visits"), count=True, k=k)),
        ("r.col_unique_visitors", show.fmt(m.get("unique_visitors"), count=True, k=k))])
    D.record(f"{name}/key-figures", pair("r.key_figures"),
             {f"{name}/visits": m.get("visits"), f"{name}/unique_visitors": m.get("unique_visitors")})
    by_gender = m.get("visits_by_gender") or {}
    frame = pd.DataFrame({"gender": list(by_gender),
                          "visits": pd.array([None if v is None else int(v) for v in by_gender.values()],
                                             dtype="Int64")})
    title = pair("r.cap_visits_by_gender")
    shown = D.publish_frame(frame, f"{name}/visits_by_gender", title, ["visits"], k,
                            total=(f"{name}/visits", m.get("visits")))
    shown["gender"] = [" / ".join(x.capitalize() for x in pair(f"labs_gender_{g}")) for g in shown["gender"]]
    show.show_table(shown, title, count_columns=["visits"],
                    labels={"gender": both("r.col_gender"), "visits": both("r.col_visits")}, k=k)
