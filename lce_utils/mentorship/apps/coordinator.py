"""The coordinator app (staff only; served behind a token): applications, matching, exports, data rights.

Exports are streamed to the browser as downloads (nothing is written on the server); exports, erasures,
purges and decisions on flagged applications go to the audit log as "coordinator (token)"."""

from __future__ import annotations

import base64
import json
import mimetypes
import os
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from lce_utils.app_base import App
from lce_utils.errors import DataError
from lce_utils.mentorship import options as opt
from lce_utils.mentorship.apps.common import LanguageSwitch, StatusLine, esc, log_exception, relabel_choice
from lce_utils.mentorship.audit import COORDINATOR
from lce_utils.mentorship.exports import download_matches, person_data
from lce_utils.mentorship.identity import decide_application, flagged_applications
from lce_utils.mentorship.matching import explain, max_score
from lce_utils.mentorship.store import (
    RETENTION_DAYS,
    PersonNotFound,
    current_matches,
    erase,
    exclude_match,
    list_applications,
    purge,
    run_matching,
    set_locked,
)
from lce_utils.mentorship.validation import ValidationError
from lce_utils.messages import number, t, tn

# (the log-out link's text; the server's own pages are in pages.py)
LOG_OUT = {"sv": "Logga ut", "en": "Log out"}


def logout_url() -> str:
    """The server's log-out page (Voilà tells its kernels the server's base URL)."""
    return os.environ.get("VOILA_BASE_URL", "/").rstrip("/") + "/logout"


def download_link(name: str, data: bytes, lang: str) -> str:
    """A link that downloads data as file name from the page itself (a data: URL; no copy on the server)."""
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    encoded = base64.b64encode(data).decode()
    return (f'<a download="{esc(name)}" href="data:{mime};base64,{encoded}">'
            f'{esc(t("download", lang, name=name))}</a>')


def scroll_region(label: str) -> str:
    """The opening of a wide table's scroll box: a named region that keyboard users can focus and scroll."""
    return f'<div class="lce-scroll" role="region" tabindex="0" aria-label="{esc(label)}">'


def table_html(table_id: str, label: str, header: list[str], rows: list[list[object]],
               why_column: int | None = None) -> str:
    """An HTML table (every value escaped) in its labelled scroll region; why_column gets the wide "why" cells."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td class="why">{esc(c)}</td>' if k == why_column else f"<td>{esc(c)}</td>"
                                    for k, c in enumerate(cells)) + "</tr>" for cells in rows)
    return (f'{scroll_region(label)}<table class="lce-table" id="{table_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


class CoordinatorApp(App):
    """Lists and filters applications, runs and adjusts matching, exports, and handles one person's data."""

    def __init__(self, lang: str = "sv", url: str | None = None, export_dir: str | Path | None = None):
        self.url = url
        self.export_dir = export_dir  # unused: downloads are streamed (kept for callers that pass it)
        self.title = w.HTML()
        self.switch = LanguageSwitch(self.relabel, lang)
        self.logout = w.HTML()  # a plain link: it clears the token's cookie (serve.LogoutHandler)
        st = {"description_width": "initial"}
        # applications
        self.apps_heading = w.HTML()
        self.f_role = w.Dropdown(style=st)
        self.f_field = w.Dropdown(style=st)
        self.f_text = w.Text(style=st)
        self.refresh = w.Button()
        self.refresh.on_click(lambda _b: self.show_applications())
        for widget in (self.f_role, self.f_field):
            widget.observe(lambda _c: self.show_applications(), names="value")
        self.f_text.observe(lambda _c: self.show_applications(), names="value")
        self.apps_table = w.HTML()
        # applications to check (a stored e-mail sent with another name or organisation)
        self.pending_heading = w.HTML()
        self.pending_table = w.HTML()
        self.pending = w.Dropdown(style=st, layout=w.Layout(width="100%"))
        self.decide_buttons = {d: w.Button(button_style="danger" if d == "reject" else "")
                               for d in ("update", "keep", "reject")}
        for decision, button in self.decide_buttons.items():
            button.on_click(lambda _b, d=decision: self.on_decide(d))
        self.pending_result = StatusLine()
        # matching
        self.matches_heading = w.HTML()
        self.same_org = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"))
        self.run = w.Button(button_style="primary")
        self.run.on_click(lambda _b: self.on_run())
        self.match_status = StatusLine()
        self.matches_table = w.HTML()
        self.pair = w.Dropdown(style=st, layout=w.Layout(width="100%"))
        self.lock = w.Button()
        self.lock.on_click(lambda _b: self.on_lock(True))
        self.unlock = w.Button()
        self.unlock.on_click(lambda _b: self.on_lock(False))
        self.exclude = w.Button(button_style="warning")
        self.exclude.on_click(lambda _b: self.on_exclude())
        self.export_csv = w.Button()
        self.export_csv.on_click(lambda _b: self.on_export("csv"))
        self.export_xlsx = w.Button()
        self.export_xlsx.on_click(lambda _b: self.on_export("xlsx"))
        self.export_result = StatusLine()
        # one person
        self.person_heading = w.HTML()
        self.email = w.Text(style=st, layout=w.Layout(width="100%"))
        self.export_person = w.Button()
        self.export_person.on_click(lambda _b: self.on_export_person())
        self.confirm = w.Text(style=st)
        self.erase = w.Button(button_style="danger")
        self.erase.on_click(lambda _b: self.on_erase())
        self.person_result = StatusLine()
        # retention
        self.purge_heading = w.HTML()
        self.days = w.BoundedIntText(value=RETENTION_DAYS, min=0, max=10000, style=st)
        self.purge = w.Button(button_style="danger")
        self.purge.on_click(lambda _b: self.on_purge())
        self.purge_result = StatusLine()
        row = lambda *ws: w.HBox(list(ws), layout=w.Layout(flex_flow="row wrap", gap="0.5em"))  # noqa: E731
        self.build([
            self.title, row(self.switch.widget, self.logout),
            self.apps_heading, row(self.f_role, self.f_field), self.f_text, self.refresh, self.apps_table,
            self.pending_heading, self.pending_table, self.pending, row(*self.decide_buttons.values()),
            self.pending_result,
            self.matches_heading, self.same_org, self.run, self.match_status, self.matches_table, self.pair,
            row(self.lock, self.unlock, self.exclude), row(self.export_csv, self.export_xlsx), self.export_result,
            self.person_heading, self.email, self.export_person, self.confirm, self.erase, self.person_result,
            self.purge_heading, self.days, self.purge, self.purge_result,
        ], lang, "lce-wide")

    def relabel(self, lang: str) -> None:
        """Every label in lang, then the tables again."""
        self.heading("coord_title", lang)
        self.logout.value = (f'<a class="lce-logout" id="logout" lang="{lang}" href="{esc(logout_url())}">'
                             f'{esc(LOG_OUT[lang])}</a>')
        self.apps_heading.value = f"<h2>{esc(t('applications_heading', lang))}</h2>"
        self.matches_heading.value = f"<h2>{esc(t('matches_heading', lang))}</h2>"
        self.person_heading.value = f"<h2>{esc(t('person_heading', lang))}</h2>"
        self.purge_heading.value = f"<h2>{esc(t('purge_heading', lang))}</h2>"
        self.pending_heading.value = f"<h2>{esc(t('pending_heading', lang))}</h2>"
        self.pending.description = t("pending_pick", lang)
        for decision, button in self.decide_buttons.items():
            button.description = t(f"decide_{decision}", lang)
        self.f_role.description = t("filter_role", lang)
        relabel_choice(self.f_role, [(t("all", lang), "")] + opt.choices(opt.ROLES, lang))
        self.f_field.description = t("filter_field", lang)
        relabel_choice(self.f_field, [(t("all", lang), "")] + opt.choices(opt.FIELDS, lang))
        self.f_text.description = t("filter_text", lang)
        self.refresh.description = t("refresh", lang)
        self.same_org.description = t("exclude_same_org", lang)
        self.run.description = t("run_matching", lang)
        self.pair.description = t("pair_id", lang)
        self.lock.description, self.unlock.description = t("lock", lang), t("unlock", lang)
        self.exclude.description = t("exclude", lang)
        self.export_csv.description, self.export_xlsx.description = t("export_csv", lang), t("export_xlsx", lang)
        self.email.description = t("email", lang)
        self.export_person.description = t("export_person", lang)
        self.confirm.description = t("confirm_erase", lang)
        self.erase.description = t("erase_person", lang)
        self.days.description = t("purge_days", lang)
        self.purge.description = t("purge", lang)
        self.show_applications()
        self.show_pending()
        self.show_matches()
        for line in (self.pending_result, self.match_status, self.export_result, self.person_result,
                     self.purge_result):
            line.relabel(lang)

    # --- tables ----------------------------------------------------------------------------------------------
    def show_applications(self) -> None:
        """The filtered applications as an HTML table (every value escaped)."""
        lang = self.lang
        apps = list_applications(self.url, role=self.f_role.value or None, field=self.f_field.value or None,
                                 text=self.f_text.value or None)
        head = ["col_id", "col_created", "name", "email", "organisation", "role", "field", "municipality",
                "languages", "skills_offered", "skills_wanted"]
        rows = [[a.id, a.created_at.strftime("%Y-%m-%d"), a.person.name, a.person.email, a.person.organisation or "",
                 opt.label(opt.ROLES, a.role, lang), opt.label(opt.FIELDS, a.field, lang), a.municipality,
                 ", ".join(a.languages), ", ".join(a.skills_offered), ", ".join(a.skills_wanted)] for a in apps]
        self.apps_table.value = (f"<p>{esc(tn('n_applications', len(apps), lang))}</p>" + table_html(
            "applications", t("applications_heading", lang), [t(h, lang).split(" (")[0] for h in head], rows))

    def show_pending(self) -> None:
        """The flagged applications: what is stored beside what was sent, and the picker for a decision."""
        lang = self.lang
        apps = flagged_applications(self.url)
        if not apps:
            self.pending_table.value = f"<p>{esc(t('no_pending', lang))}</p>"
            self.pending.options = []
            return
        head = ["col_id", "col_created", "col_flag", "email", "col_stored", "col_sent"]
        rows = [[a.id, a.created_at.strftime("%Y-%m-%d"), t(f"flag_{a.flag}", lang), a.person.email,
                 f"{a.person.name} / {a.person.organisation or '–'}",
                 f"{a.submitted_name or a.person.name} / {a.submitted_organisation or '–'}"] for a in apps]
        self.pending_table.value = table_html("pending", t("pending_heading", lang), [t(h, lang) for h in head],
                                              rows)
        current = self.pending.value
        self.pending.options = [(f"{a.id}: {t(f'flag_{a.flag}', lang)} ({a.person.email})", a.id) for a in apps]
        if current in {a.id for a in apps}:
            self.pending.value = current

    def show_matches(self) -> None:
        """The current matches with the reasons for each, and the pair picker."""
        lang = self.lang
        matches = current_matches(self.url)
        if not matches:
            self.matches_table.value = f"<p>{esc(t('no_matches', lang))}</p>"
            self.pair.options = []
            return
        head = ["pair_id", "r.col_kind", "col_mentor", "col_mentee", "col_score", "col_why", "col_locked", "col_code"]
        rows = [[m.id, t(f"kind_{m.kind}", lang), f"{m.a.person.name} ({m.a.person.email})",
                 f"{m.b.person.name} ({m.b.person.email})",
                 t("score_of", lang, score=number(m.score, lang), top=number(max_score(m.kind), lang)),
                 explain(m.reasons, lang), t("yes" if m.locked else "no", lang), m.code] for m in matches]
        locked = sum(1 for m in matches if m.locked)
        scale = t("score_scale", lang, mentoring=number(max_score("mentoring"), lang),
                  mutual=number(max_score("mutual"), lang))
        self.matches_table.value = (f"<p>{esc(tn('n_matches', len(matches), lang, locked=locked))}</p>"
                                    + table_html("matches", t("matches_heading", lang), [t(h, lang) for h in head],
                                                 rows, why_column=5)
                                    + f'<p class="lce-scale" id="score-scale">{esc(scale)}</p>')
        current = self.pair.value
        self.pair.options = [(f"{m.id}: {m.a.person.name} – {m.b.person.name}", m.id) for m in matches]
        if current in {m.id for m in matches}:
            self.pair.value = current

    def _say(self, target: StatusLine, message: str | Callable[[str], str], ok: bool = True) -> None:
        """Show a message in target; given as a function of the language, it follows a language switch."""
        css, role = ("lce-ok", "status") if ok else ("lce-error", "alert")
        text = message if callable(message) else (lambda _lang: message)
        target.say(lambda lang: f'<div class="{css}" role="{role}">{esc(text(lang))}</div>', self.lang)

    # --- actions ---------------------------------------------------------------------------------------------
    def _guard(self, target: w.HTML, where: str, action: Callable[[], object]) -> None:
        try:
            action()
        except (ValidationError, PersonNotFound, DataError) as exc:
            if isinstance(exc, ValidationError):
                error = exc  # (Python unbinds exc when the except block ends; the message outlives it)
                self._say(target, lambda lang: error.message("email", lang) or str(error), ok=False)
            elif isinstance(exc, PersonNotFound):
                self._say(target, lambda lang: t("not_found", lang), ok=False)
            else:
                self._say(target, str(exc), ok=False)  # (DataError messages are bilingual already)
        except Exception:
            log_exception(f"coordinator {where}")
            self._say(target, lambda lang: t("storage_failed", lang), ok=False)

    def on_run(self) -> None:
        """Run matching for everyone not in a locked pair."""
        def act() -> None:
            summary = run_matching(self.url, exclude_same_org=self.same_org.value)
            self._say(self.match_status, lambda lang: tn("matching_done", summary["pairs"], lang,
                                                         unmatched=summary["unmatched"]))
            self.show_matches()
        self._guard(self.match_status, "matching", act)

    def on_lock(self, locked: bool) -> None:
        """Lock or unlock the chosen pair."""
        if self.pair.value is None:
            return
        def act() -> None:
            set_locked(self.pair.value, locked, self.url)
            self.show_matches()
        self._guard(self.match_status, "lock", act)

    def on_exclude(self) -> None:
        """Exclude the chosen pair and re-run the matching for the rest."""
        if self.pair.value is None:
            return
        def act() -> None:
            exclude_match(self.pair.value, self.url)
            self.on_run()
        self._guard(self.match_status, "exclude", act)

    def on_decide(self, decision: str) -> None:
        """Accept (updating the person or not) or reject the chosen flagged application."""
        if self.pending.value is None:
            return

        def act() -> None:
            decide_application(self.pending.value, decision, self.url, actor=COORDINATOR)
            self._say(self.pending_result, lambda lang: t("decided", lang))
            self.show_applications()
            self.show_pending()
        self._guard(self.pending_result, "decide", act)

    def on_export(self, kind: str) -> None:
        """Offer the matches as a CSV or Excel download, made in memory (no file on the server)."""
        def act() -> None:
            name, data = download_matches(kind, self.url, actor=COORDINATOR)
            self.export_result.say(lambda lang: (f'<div class="lce-ok" role="status">{esc(t("export_streamed", lang))}'
                                                 f"<br>{download_link(name, data, lang)}</div>"), self.lang)
        self._guard(self.export_result, "export", act)

    def on_export_person(self) -> None:
        """One person's data as JSON, shown and downloadable (no file on the server)."""
        def act() -> None:
            text = json.dumps(person_data(self.email.value, self.url, actor=COORDINATOR), ensure_ascii=False,
                              indent=2)
            self.person_result.say(lambda lang: (
                f'<div class="lce-ok" role="status">{download_link("person.json", text.encode("utf-8"), lang)}</div>'
                f'<pre class="lce-json" tabindex="0">{esc(text)}</pre>'), self.lang)
        self._guard(self.person_result, "export person", act)

    def on_erase(self) -> None:
        """Erase one person's data after the confirmation word was typed."""
        if self.confirm.value.strip().upper() not in {t("erase_word", "sv"), t("erase_word", "en")}:
            self._say(self.person_result, lambda lang: t("confirm_erase", lang), ok=False)
            return

        def act() -> None:
            counts = erase(self.email.value, self.url, actor=COORDINATOR)
            self.confirm.value = ""
            self._say(self.person_result, lambda lang: tn("erased", counts["rows"], lang) + " " + t(
                "erased_files", lang, rewritten=counts["files_rewritten"], deleted=counts["files_deleted"]))
            self.show_applications()
            self.show_pending()
            self.show_matches()
        self._guard(self.person_result, "erase", act)

    def on_purge(self) -> None:
        """Erase applications older than the chosen number of days."""
        def act() -> None:
            days = int(self.days.value)
            counts = purge(days, self.url, actor=COORDINATOR)
            self._say(self.purge_result, lambda lang: tn("purged", counts["applications"], lang, days=days) + " " + t(
                "purged_files", lang, n=counts["files_deleted"] + counts["files_expired"]))
            self.show_applications()
            self.show_pending()
            self.show_matches()
        self._guard(self.purge_result, "purge", act)

