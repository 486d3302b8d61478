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
from lce_utils.paths import COURSES
from lce_utils.programme import fields, store
from lce_utils.programme.indicators import indicator_table

NOT_KNOWN = ("inte känt / not known", "")
YES_NO = [NOT_KNOWN, ("ja / yes", "yes"), ("nej / no", "no")]
SPECIAL = [("inte frågat / not asked", ""), ("ja / yes", "yes"), ("nej / no", "no"),
           ("avböjt / declined", "declined")]
WORDS = {
    "woman": "kvinna / woman", "man": "man / man", "non_binary": "icke-binär / non-binary",
    "employed": "sysselsatt, inkl. egenföretagare / employed, incl. self-employed",
    "unemployed": "arbetslös / unemployed", "long_term_unemployed": "långtidsarbetslös / long-term unemployed",
    "inactive": "utanför arbetskraften / inactive", "isced_0_2": "förgymnasial / ISCED 0-2",
    "isced_3_4": "gymnasial / ISCED 3-4", "isced_5_8": "eftergymnasial / ISCED 5-8",
}


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
            self.inputs[name] = w.Text(description=label(name), placeholder="ÅÅÅÅ-MM-DD" if "date" in name else "")
        self.inputs["protected_identity"] = w.Checkbox(description=label("protected_identity"), value=False)
        for name, vocabulary in (("gender", fields.GENDERS), ("labour_status", fields.LABOUR),
                                 ("education", fields.EDUCATION)):
            self.inputs[name] = w.Dropdown(description=label(name), options=[("", "")] + [
                (WORDS[code], code) for code in vocabulary], value="")
        for name in fields.FLAGS:
            self.inputs[name] = w.Dropdown(description=label(name), options=YES_NO, value="")
        for name in fields.SPECIAL:
            self.inputs[name] = w.Dropdown(description=label(name), options=SPECIAL, value="")
        for widget in self.inputs.values():
            widget.style = {"description_width": "18em"}
            widget.layout = w.Layout(width="40em")
        self.submit = w.Button(description="Registrera / Register", button_style="primary")
        self.submit.on_click(lambda _b: self.register())
        self.show_register = w.Button(description="Visa registret / Show the register")
        self.show_register.on_click(lambda _b: self.refresh())
        self.show_roster = w.Button(description="Visa deltagarläget / Show the roster")
        self.show_roster.on_click(lambda _b: self.roster())
        self.status = w.HTML()
        self.overview = w.HTML()
        self.roster_view = w.HTML()
        self.title = w.HTML("<h1>Programregister / Programme register</h1><p>Personnummer och känsliga uppgifter "
                            "lagras krypterade. / Personnummer and special categories are stored encrypted.</p>")

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
            self.status.value = ('<p class="lce-error" role="alert">Något gick fel; inget sparades. / Something '
                                 'went wrong; nothing was saved.</p>')
            return None
        self.status.value = (f'<p class="lce-ok" role="status">Registrerad: deltagande {pid} / Registered: '
                             f'participation {pid}</p>')
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
        head = ("<p>Deltagare / Participants: <strong>{}</strong> (kvinnor / women {}, män / men {}, icke-binära / "
                "non-binary {})</p>").format(total["total"], total["woman"], total["man"], total["non_binary"])
        body = "".join(f"<tr><td>{r.participation_id}</td><td>{esc(r.name)}</td><td>{r.entry_date}</td>"
                       f"<td>{r.exit_date or ''}</td></tr>" for r in rows)
        self.overview.value = (head + '<table class="lce-table" id="programme-register"><thead><tr>'
                               '<th scope="col">Id</th><th scope="col">Namn / Name</th><th scope="col">Start / '
                               'Entry</th><th scope="col">Slut / Exit</th></tr></thead><tbody>' + body +
                               "</tbody></table>")

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
        head = ("Id", "Namn / Name", "Status", "Kurser godkända / Courses passed", "Mentorskap / Mentorship",
                "Labbkörningar / Lab runs", "Timmar / Hours", "I riskzonen / At risk")
        body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in (
            r.participation_id, r.name, r.status, f"{r.courses_passed}/{r.courses_started}",
            f"{r.mentorship_match} ({r.mentoring_sessions})" if r.mentorship_match else "", r.lab_runs, r.hours,
            r.at_risk))
            + "</tr>" for r in rows)
        self.roster_view.value = ('<table class="lce-table" id="programme-roster"><thead><tr>' +
                                  "".join(f'<th scope="col">{h}</th>' for h in head) + "</tr></thead><tbody>" +
                                  body + "</tbody></table>")

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
        self.code = w.Password(description="Personlig kod / Personal code", style={"description_width": "14em"})
        self.month = w.Text(description="Månad / Month", placeholder="ÅÅÅÅ-MM",
                            style={"description_width": "14em"})
        self.show_hours = w.Button(description="Visa mina timmar / Show my hours")
        self.show_hours.on_click(lambda _b: self.hours())
        self.attest_button = w.Button(description="Jag intygar timmarna / I attest the hours", button_style="primary")
        self.attest_button.on_click(lambda _b: self.attest())
        self.status = w.HTML()
        self.table = w.HTML()

    def _error(self, exc: Exception) -> None:
        if not isinstance(exc, LCEError):
            log_exception("programme attestation page")
            exc = LCEError("Något gick fel. / Something went wrong.")
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
        self.table.value = ('<table class="lce-table" id="my-hours"><thead><tr><th scope="col">Månad / Month</th>'
                            '<th scope="col">Timmar / Hours</th></tr></thead><tbody>' +
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
        self.status.value = (f'<p class="lce-ok" role="status">Intygat: {hours:.1f} timmar i {esc(self.month.value)}'
                             f' / Attested: {hours:.1f} hours in {esc(self.month.value)}</p>')
        return hours

    def show(self) -> None:
        """Display the page."""
        display(w.VBox([w.HTML("<h1>Intyga din tid / Attest your time</h1>"), self.code, self.show_hours,
                        self.table, self.month, self.attest_button, self.status]))
