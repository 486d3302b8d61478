"""The staff app (programme/staff): register a participant, with every label and message in Swedish and English,
and look at the register (no personnummer shown). The register is opened only when staff act, so showing the app
stores nothing; errors are one bilingual line, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import display

from lce_utils.errors import LCEError
from lce_utils.mentorship.apps.common import esc, log_exception
from lce_utils.messages import both, t
from lce_utils.paths import COURSES
from lce_utils.programme import fields, store
from lce_utils.programme.indicators import indicator_table

YES_NO = [(both("pw_not_known"), ""), (both("yes"), "yes"), (both("no"), "no")]
SPECIAL = [(both("pw_not_asked"), ""), (both("yes"), "yes"), (both("no"), "no"),
           (both("pw_declined"), "declined")]


def _th(*keys: str) -> str:
    """Table header cells, each "svenska / English"."""
    return "".join(f'<th scope="col">{esc(both(key))}</th>' for key in keys)


def label(field: str) -> str:
    """A field's label in both languages."""
    sv, en = fields.LABELS[field]
    return f"{sv.capitalize()} / {en}"


class StaffApp:
    """The registration form and the register's overview."""

    TEXT = ("name", "email", "personnummer", "birth_date", "entry_date", "student_id", "mentorship_email",
            "institution")

    def __init__(self, url: str | None = None, today: dt.date | None = None):
        self.url = url
        self.today = today
        self.inputs: dict[str, w.Widget] = {}
        for name in self.TEXT:
            self.inputs[name] = w.Text(description=label(name),
                                       placeholder=t("pa_date_placeholder") if "date" in name else "")
        self.inputs["protected_identity"] = w.Checkbox(description=label("protected_identity"), value=False)
        for name, vocabulary in (("gender", fields.GENDERS), ("labour_status", fields.LABOUR),
                                 ("education", fields.EDUCATION)):
            self.inputs[name] = w.Dropdown(description=label(name), options=[("", "")] + [
                (both(f"pw_{code}"), code) for code in vocabulary], value="")
        for name in fields.FLAGS:
            self.inputs[name] = w.Dropdown(description=label(name), options=YES_NO, value="")
        for name in fields.SPECIAL:
            self.inputs[name] = w.Dropdown(description=label(name), options=SPECIAL, value="")
        for widget in self.inputs.values():
            widget.style = {"description_width": "18em"}
            widget.layout = w.Layout(width="40em")
        self.submit = w.Button(description=both("pa_register"), button_style="primary")
        self.submit.on_click(lambda _b: self.register())
        self.show_register = w.Button(description=both("pa_show_register"))
        self.show_register.on_click(lambda _b: self.refresh())
        self.show_roster = w.Button(description=both("pa_show_roster"))
        self.show_roster.on_click(lambda _b: self.roster())
        self.status = w.HTML()
        self.overview = w.HTML()
        self.roster_view = w.HTML()
        self.title = w.HTML(f"<h1>{esc(both('pa_title'))}</h1><p>{esc(both('pa_encrypted'))}</p>")

    def values(self) -> dict[str, Any]:
        """The form as a record for the register (empty fields left out)."""
        data = {k: (v.value.strip() if isinstance(v.value, str) else v.value) for k, v in self.inputs.items()}
        data["protected_identity"] = "yes" if data["protected_identity"] else ""
        return {k: v for k, v in data.items() if v not in ("", None)}

    def register(self) -> int | None:
        """Store the form; the status line says what happened (the participation's id, or what is wrong)."""
        try:
            pid = store.register(self.values(), self.url, today=self.today)
        except LCEError as exc:
            self.status.value = f'<p class="lce-error" role="alert">{esc(exc)}</p>'
            return None
        except Exception:  # noqa: BLE001 - staff see one line; the log has the traceback
            log_exception("programme staff app")
            self.status.value = f'<p class="lce-error" role="alert">{esc(both("pa_failed"))}</p>'
            return None
        self.status.value = f'<p class="lce-ok" role="status">{esc(both("pa_registered", id=pid))}</p>'
        for widget in self.inputs.values():
            widget.value = False if isinstance(widget, w.Checkbox) else ""
        return pid

    def refresh(self) -> None:
        """The register's participations and headline indicators (names escaped, no personnummer)."""
        try:
            rows = store.records(self.url)
        except LCEError as exc:
            self.overview.value = f'<p class="lce-error" role="alert">{esc(exc)}</p>'
            return
        table = {r["indicator"]: r for r in indicator_table(rows)}
        total = table["participants"]
        groups = ", ".join(f"{both(key)} {total[code]}" for key, code in (
            ("labs_gender_woman", "woman"), ("labs_gender_man", "man"), ("pa_non_binary", "non_binary")))
        head = f"<p>{both('r.col_participants')}: <strong>{total['total']}</strong> ({groups})</p>"
        body = "".join(f"<tr><td>{r.participation_id}</td><td>{esc(r.name)}</td><td>{r.entry_date}</td>"
                       f"<td>{r.exit_date or ''}</td></tr>" for r in rows)
        self.overview.value = (head + '<table class="lce-table" id="programme-register"><thead><tr>'
                               '<th scope="col">Id</th>' + _th("name", "pa_col_entry", "pa_col_exit") +
                               "</tr></thead><tbody>" + body + "</tbody></table>")

    def roster(self, course: Path | None = None, mentorship_url: str | None = None,
               labs: Path | None = None) -> None:
        """The roster across the parts (courses, mentorship, labs, hours) with the at-risk flag."""
        from lce_utils.programme.roster import existing_mentorship_store, roster

        try:
            rows = roster(self.url, course or COURSES, mentorship_url or existing_mentorship_store(None),
                          today=self.today, labs=labs)
        except LCEError as exc:
            self.roster_view.value = f'<p class="lce-error" role="alert">{esc(exc)}</p>'
            return

        body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in (
            r.participation_id, r.name, r.status, f"{r.courses_passed}/{r.courses_started}",
            f"{r.mentorship_match} ({r.mentoring_sessions})" if r.mentorship_match else "", r.lab_runs, r.hours,
            r.at_risk))
            + "</tr>" for r in rows)
        self.roster_view.value = ('<table class="lce-table" id="programme-roster"><thead><tr><th scope="col">Id</th>'
                                  + _th("name") + '<th scope="col">Status</th>'
                                  + _th("pa_col_passed", "pa_col_mentorship", "pa_col_lab_runs", "pa_col_hours",
                                        "pa_col_at_risk") + "</tr></thead><tbody>" + body + "</tbody></table>")

    def widget(self) -> w.Widget:
        """The whole app."""
        return w.VBox([self.title, *self.inputs.values(), self.submit, self.status, self.show_register,
                       self.overview, self.show_roster, self.roster_view])

    def show(self) -> None:
        """Display the app (in a notebook or Voilà)."""
        display(self.widget())


def visitor() -> str:
    """The page's visitor, for the limit on wrong codes: the address `lce programme serve` gave this kernel; served
    otherwise (plain Voilà, JupyterLab) every visitor counts as one, so the limit still holds."""
    import os

    from lce_utils.programme.attendance import CLIENT_ENV

    return os.environ.get(CLIENT_ENV, "").strip() or "unknown"


class AttestApp:
    """The participant page: with their personal code a participant sees their hours per month and attests one
    month; the attestation is recorded with its time and the method "participant page"."""

    def __init__(self, url: str | None = None):
        self.url = url
        self.code = w.Password(description=both("pa_code"), style={"description_width": "14em"})
        self.month = w.Text(description=both("r.col_month"), placeholder=t("pa_month_placeholder"),
                            style={"description_width": "14em"})
        self.show_hours = w.Button(description=both("pa_show_hours"))
        self.show_hours.on_click(lambda _b: self.hours())
        self.attest_button = w.Button(description=both("pa_attest"), button_style="primary")
        self.attest_button.on_click(lambda _b: self.attest())
        self.status = w.HTML()
        self.table = w.HTML()

    def _error(self, exc: Exception) -> None:
        if not isinstance(exc, LCEError):
            log_exception("programme attestation page")
            exc = LCEError(both("pa_went_wrong"))
        self.status.value = f'<p class="lce-error" role="alert">{esc(exc)}</p>'

    def hours(self) -> None:
        """Show the hours per month of the code's holder."""
        from lce_utils.programme.attendance import hours_for_code

        try:
            months = hours_for_code(self.code.value, self.url, client=visitor())
        except Exception as exc:  # noqa: BLE001 - one line for the participant, the log has the rest
            self._error(exc)
            return
        self.status.value = ""
        self.table.value = ('<table class="lce-table" id="my-hours"><thead><tr>' + _th("r.col_month", "pa_col_hours") +
                            "</tr></thead><tbody>" +
                            "".join(f"<tr><td>{esc(m)}</td><td>{h:.1f}</td></tr>" for m, h in months.items()) +
                            "</tbody></table>")

    def attest(self) -> float | None:
        """Attest the chosen month; the status line says what was recorded."""
        from lce_utils.programme.attendance import attest

        try:
            hours = attest(self.code.value, self.month.value.strip(), self.url, client=visitor())
        except Exception as exc:  # noqa: BLE001
            self._error(exc)
            return None
        said = both("pa_attested", hours=f"{hours:.1f}", month=self.month.value)
        self.status.value = f'<p class="lce-ok" role="status">{esc(said)}</p>'
        return hours

    def show(self) -> None:
        """Display the page."""
        display(w.VBox([w.HTML(f"<h1>{esc(both('pa_attest_title'))}</h1>"), self.code, self.show_hours,
                        self.table, self.month, self.attest_button, self.status]))
