"""Anonymous feedback from learners and participants (issue 17 item 4): a short bilingual Voilà form
(mentorship/feedback/, served by `lce mentorship serve` beside the sign-up) opened with `?context=` naming a lesson
(`<course>/<notebook>` of courses/source), a lab (`lab/<notebook>` of engagement_labs) or `mentorship`, and the
staff report of what learners found hard or useful per lesson, every count suppressed through lce_utils.privacy.

An answer is stored in the mentorship store's `learner_feedback` with no person, no address and no time but the
month (a random key, no ordered id). The page's context is read once from the request (never from a widget, so a
forged widget message cannot change it) and must be one the repository knows."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from lce_utils import settings
from lce_utils.app_base import App
from lce_utils.messages import both, pair, t
from lce_utils.paths import ROOT

# (lce_utils.mentorship is imported where it is used: a lesson's footer imports this module for its link, and the
# store's machinery would take seconds to load in every lesson)
FEEDBACK_URL_ENV = settings.FEEDBACK_URL.name  # the mentorship server's public address, for the lessons' footer link

MENTORSHIP = "mentorship"
TEXT_LIMIT = 500
SCORES = (1, 2, 3, 4, 5)
FIELDS = ("context", "useful", "hard", "what_hard", "what_useful")
# --- what may be asked about -----------------------------------------------------------------------------------

def _title(path: Path) -> tuple[str, str]:
    """A notebook's title from its metadata `lce.title` (lessons), else from its name."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("lce", {})
        title = meta.get("feedback_title") or {}
        if isinstance(title, dict) and title.get("sv") and title.get("en"):
            return str(title["sv"]), str(title["en"])
    except (OSError, ValueError, AttributeError):
        pass
    words = path.stem.split("-", 1)[-1] if path.stem[:2].isdigit() else path.stem
    name = words.replace("-", " ").capitalize()
    return name, name


def known_contexts(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """Every context the form accepts, with its Swedish and English title: the lessons (the courses' source
    notebooks, or the released ones where there are no sources), the labs and the mentorship."""
    return dict(_known_contexts(str(root)))


@lru_cache(maxsize=4)
def _known_contexts(root: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    base = Path(root)
    found: dict[str, tuple[str, str]] = {}
    courses = base / "courses" / "source"
    if not any(courses.glob("*/*.ipynb")):
        courses = base / "courses" / "release"
    for nb in sorted(courses.glob("*/*.ipynb")):
        if not nb.name.endswith(".en.ipynb"):
            found[f"{nb.parent.name}/{nb.stem}"] = _title(nb)
    for nb in sorted((base / "engagement_labs").glob("*.ipynb")):
        found[f"lab/{nb.stem}"] = _title(nb)
    found[MENTORSHIP] = pair("feedback_mentorship_title")
    return tuple(found.items())


def context_from_query(query: str | None, root: Path = ROOT) -> str | None:
    """The one `context` a request's query string names, if it is a known one; None otherwise (missing,
    repeated, unknown or forged)."""
    try:
        values = parse_qs(query or "", keep_blank_values=True, max_num_fields=20).get("context", [])
    except ValueError:
        return None
    if len(values) != 1 or values[0] not in known_contexts(root):
        return None
    return values[0]


def lang_from_query(query: str | None, default: str = "sv") -> str:
    """`lang=en` in the query string opens the form in English."""
    try:
        values = parse_qs(query or "", max_num_fields=20).get("lang", [])
    except ValueError:
        return default
    return "en" if values == ["en"] else "sv" if values == ["sv"] else default


def feedback_link(context: str, base: str = "", lang: str = "sv") -> str:
    """The form's address for a context (what a lesson's footer links to); base is the mentorship server's
    address (empty: a link relative to the server's root)."""
    from urllib.parse import quote

    return (f"{base.rstrip('/')}/voila/render/feedback/index.ipynb?context={quote(context, safe='/')}"
            + ("&lang=en" if lang == "en" else ""))


# --- answers ---------------------------------------------------------------------------------------------------

def validate_answer(data: Mapping[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """The checked answer, or ValidationError naming every wrong field (Swedish and English)."""
    from lce_utils.mentorship.validation import ValidationError, _has_control

    errors: dict[str, tuple[str, str]] = {}
    if not isinstance(data, Mapping):
        raise ValidationError({"form": pair("err_type")})
    for key in data:
        if key not in FIELDS:
            errors[str(key)[:40]] = pair("err_unknown")
    out: dict[str, Any] = {}
    context = data.get("context")
    if not isinstance(context, str) or context not in known_contexts(root):
        errors["context"] = pair("feedback_err_context")
    out["context"] = context
    for name in ("useful", "hard"):
        value = data.get(name)
        if isinstance(value, bool) or value not in SCORES:
            errors[name] = pair("feedback_err_score")
        out[name] = value
    for name in ("what_hard", "what_useful"):
        value = data.get(name) or ""
        if not isinstance(value, str):
            errors[name] = pair("err_type")
            continue
        value = unicodedata.normalize("NFC", value.strip())
        if len(value) > TEXT_LIMIT:
            errors[name] = pair("err_too_long", limit=TEXT_LIMIT)
        elif _has_control(value, True):
            errors[name] = pair("err_control")
        out[name] = value or None
    if errors:
        raise ValidationError(errors)
    return out


def store_answer(data: Mapping[str, Any], url: str | None = None, today: dt.date | None = None,
                 root: Path = ROOT) -> str:
    """Check and store one answer with the month only; returns the month it was filed under."""
    from lce_utils.mentorship.models import LearnerFeedback
    from lce_utils.mentorship.store import transaction

    clean = validate_answer(data, root)
    month = (today or dt.date.today()).strftime("%Y-%m")
    transaction(lambda s: s.add(LearnerFeedback(key=secrets.token_hex(16), month=month, **clean)), url)
    return month


def answers(url: str | None = None) -> list[dict[str, Any]]:
    """Every stored answer as plain values (for the report), in no particular order."""
    from sqlalchemy import select

    from lce_utils.mentorship.models import LearnerFeedback
    from lce_utils.mentorship.store import reading

    with reading(url) as session:
        return [{"context": r.context, "month": r.month, "useful": r.useful, "hard": r.hard,
                 "what_hard": r.what_hard, "what_useful": r.what_useful}
                for r in session.scalars(select(LearnerFeedback))]


# --- the form --------------------------------------------------------------------------------------------------

class FeedbackApp(App):
    """The feedback form for one context (a lesson, a lab or the mentorship); `show()` displays it. One answer per
    page: after it is stored the form is gone and a second submission (a forged click) is ignored."""

    def __init__(self, context: str | None, lang: str = "sv", url: str | None = None, store: bool | None = None,
                 root: Path = ROOT):
        import ipywidgets as w

        from lce_utils.mentorship.apps.common import Field, LanguageSwitch, StatusLine, hosting_refusal

        self.context = context if context in known_contexts(root) else None
        self.titles = known_contexts(root).get(self.context or "", ("", ""))
        self.url, self.root_dir = url, root
        self.store = (not hosting_refusal()) if store is None else store
        self.sent = False
        wide = w.Layout(width="100%")
        self.title, self.intro, self.note, self.summary = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.switch = LanguageSwitch(self.relabel, lang)
        scale = [(str(i), i) for i in SCORES]
        self.fields = {"useful": Field("useful", w.RadioButtons(options=scale, value=None)),
                       "hard": Field("hard", w.RadioButtons(options=scale, value=None)),
                       "what_hard": Field("what_hard", w.Textarea(layout=wide)),
                       "what_useful": Field("what_useful", w.Textarea(layout=wide))}
        for f in self.fields.values():
            f.widget.style.description_width = "initial"
        self.submit = w.Button(button_style="primary")
        self.submit.on_click(lambda _b: self.on_submit())
        self.result = StatusLine("")
        self._errors: dict[str, tuple[str, str]] = {}
        self.form = w.VBox([self.summary, self.fields["useful"].box, self.fields["hard"].box, self.note,
                            self.fields["what_hard"].box, self.fields["what_useful"].box, self.submit])
        if self.context is None:
            self.form.layout.display = "none"
        self.build([self.title, self.switch.widget, self.intro, self.form, self.result], lang)

    def relabel(self, lang: str) -> None:
        """Show every label and message in lang."""
        esc = html.escape
        self.heading("feedback_title", lang)
        if self.context is None:
            self.intro.value = (f'<div class="lce-error" role="alert" id="bad-context">'
                                f'{esc(t("feedback_bad_context", lang))}</div>')
        else:
            title = self.titles[1 if lang == "en" else 0]
            about = t("feedback_mentorship", lang) if self.context == MENTORSHIP else title
            self.intro.value = (f'<p lang="{lang}">{esc(t("feedback_intro", lang, about=about))}</p>'
                                f'<h2 lang="{lang}">{esc(t("feedback_about_heading", lang, title=title))}</h2>')
        self.note.value = (f'<div class="lce-warn" role="note" id="no-personal-data">'
                           f'{esc(t("feedback_no_personal", lang, limit=TEXT_LIMIT))}</div>')
        for name, field in self.fields.items():
            field.widget.description = t(f"feedback_{name}", lang)
            pair = self._errors.get(name)
            field.set_error(None if pair is None else pair[1 if lang == "en" else 0])
        self.summary.value = (f'<div class="lce-error" role="alert">{esc(t("feedback_form_has_errors", lang))}</div>'
                              if self._errors else "")
        self.submit.description = t("feedback_send", lang)
        self.result.relabel(lang)

    def collect(self) -> dict[str, Any]:
        """The form's values as store_answer takes them (the context from the request, never from a widget)."""
        return {"context": self.context, **{name: f.widget.value for name, f in self.fields.items()}}

    def _say(self, key: str, ok: bool = True) -> Callable[[str], str]:
        css, role = ("lce-ok", "status") if ok else ("lce-error", "alert")
        return lambda lang: f'<div class="{css}" role="{role}" id="feedback-result">{html.escape(t(key, lang))}</div>'

    def on_submit(self) -> None:
        """Check in Python and store (once per page)."""
        from lce_utils.mentorship.apps.common import log_exception
        from lce_utils.mentorship.validation import ValidationError

        if self.sent or self.context is None:
            return
        self.submit.disabled = True
        try:
            data = self.collect()
            if self.store:
                store_answer(data, self.url, root=self.root_dir)
            else:
                validate_answer(data, self.root_dir)
        except ValidationError as exc:
            self._errors = {k: v for k, v in exc.errors.items() if k in self.fields}
            self.relabel(self.lang)
            self.submit.disabled = False
            return
        except Exception:
            log_exception("feedback")
            self.result.say(self._say("feedback_failed", ok=False), self.lang)
            self.submit.disabled = False
            return
        self.sent = True
        self._errors = {}
        self.form.layout.display = "none"
        self.result.say(self._say("feedback_thanks" if self.store else "demo_checked"), self.lang)



def lesson_feedback_link(notebook: str | Path | None = None) -> Any:
    """For a released lesson's footer: a link to the form for this lesson, in the lesson's language (an HTML
    display object); None, so nothing shows, while nbgrader runs the notebook, where the notebook cannot be told or
    where LCE_FEEDBACK_URL (the mentorship server's public address) is not set, e.g. on Binder."""
    from lce_utils.courses.savework import grading

    base = settings.FEEDBACK_URL() or ""
    if grading() or not base.startswith(("https://", "http://")):
        return None
    try:
        from lce_utils.courses.selfcheck import this_notebook

        path = Path(notebook) if notebook else this_notebook()
    except (LookupError, OSError):
        return None
    from IPython.display import HTML

    from lce_utils.courses.checks import language

    stem = path.name.removesuffix(".ipynb").removesuffix(".en")
    lang = "en" if path.name.endswith(".en.ipynb") else language() or "sv"
    href = html.escape(feedback_link(f"{path.parent.name}/{stem}", base, lang), quote=True)
    text = t("feedback_footer_link", lang)
    return HTML(f'<p lang="{lang}"><a href="{href}" target="_blank" rel="noopener">{html.escape(text)}</a></p>')


def app_from_request(lang: str = "sv", url: str | None = None) -> FeedbackApp:
    """The form for the context and language this Voilà request names (QUERY_STRING, which Voilà sets in a
    kernel started for the request: the feedback app has no preheated pool)."""
    query = os.environ.get("QUERY_STRING", "")
    return FeedbackApp(context_from_query(query), lang=lang_from_query(query, lang), url=url)


# --- the staff report ------------------------------------------------------------------------------------------

def lesson_summary(rows: Sequence[Mapping[str, Any]], k: int = 5, root: Path = ROOT, key: str | None = None
                   ) -> dict[str, Any]:
    """Per context: answers (a count about people, protected with the total through lce_utils.privacy; None =
    suppressed), mean usefulness and hardness, and the free text (sorted, so its order tells nothing) only where
    the count itself is shown (so at least k answers). The total of answers is not published (a reader who had it
    could subtract the shown lessons from it), so a small lesson hides alone."""
    from lce_utils.privacy import protect

    titles = known_contexts(root)
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["context"]), []).append(row)
    order = sorted(groups, key=lambda c: (list(titles).index(c) if c in titles else len(titles), c))
    cells = {f"feedback/{c}/answers": len(groups[c]) for c in order}
    total = "feedback/answers"
    shown = protect({**cells, total: len(rows)}, [(total, list(cells))], published=list(cells), k=k, key=key)
    out = []
    for context in order:
        group, count = groups[context], shown[f"feedback/{context}/answers"]
        visible = count is not None
        out.append({
            "context": context, "title": titles.get(context, (context, context)), "answers": count,
            "useful": round(sum(r["useful"] for r in group) / len(group), 1) if visible else None,
            "hard": round(sum(r["hard"] for r in group) / len(group), 1) if visible else None,
            "what_hard": sorted(r["what_hard"] for r in group if r.get("what_hard")) if visible else [],
            "what_useful": sorted(r["what_useful"] for r in group if r.get("what_useful")) if visible else [],
        })
    return {"cells": shown, "relation": (total, list(cells)), "contexts": out}


def show_report(mentorship_db: str | None, k: int = 5) -> None:
    """The report's body (in a knowledge template): the table per lesson, recorded for the disclosure audit, and
    the free text of the groups that are shown."""
    import pandas as pd
    from IPython.display import HTML, display

    from lce_utils.reports import display as show
    from lce_utils.reports.disclosure import record

    summary = lesson_summary(answers(mentorship_db or None), k, key=settings.PRIVACY_KEY())
    record("feedback/lessons", pair("feedback_answers_per_lesson"), summary["cells"], [summary["relation"]])
    contexts = summary["contexts"]
    shown = sum(1 for c in contexts if c["answers"] is not None)
    show.summary("feedback_report_summary", contexts=len(contexts), shown=shown, k=k)
    if not contexts:
        show.note("feedback_no_answers")
        return
    frame = pd.DataFrame({"lesson": [f"{c['title'][0]} / {c['title'][1]}" for c in contexts],
                          "answers": pd.array([c["answers"] for c in contexts], dtype="Int64"),
                          "useful": [c["useful"] for c in contexts], "hard": [c["hard"] for c in contexts]})
    show.show_table(frame, "feedback_table", count_columns=["answers"],
                    labels={"lesson": both("r.col_lesson"),
                            **{col: both(f"feedback_col_{col}") for col in ("answers", "useful", "hard")}},
                    k=k)
    show.note("feedback_shown_only", k=k)
    parts = []
    for c in contexts:
        if not (c["what_hard"] or c["what_useful"]):
            continue
        parts.append(f"<h3>{html.escape(c['title'][0])} <span lang=\"en\">/ {html.escape(c['title'][1])}</span></h3>")
        for key in ("what_hard", "what_useful"):
            if c[key]:
                sv, en = pair(f"feedback_report_{key.removeprefix('what_')}")
                items = "".join(f"<li>{html.escape(text)}</li>" for text in c[key])
                parts.append(f"<p>{sv} <span lang=\"en\">/ {en}</span></p><ul>{items}</ul>")
    if parts:
        display(HTML("".join(parts)))


def demo_answers(url: str | None = None, seed: int = 2026) -> int:
    """Fictitious answers in the demo store (once): some lessons with many answers, one with too few to show."""
    import random

    from sqlalchemy import func, select

    from lce_utils.mentorship.demo import FEEDBACK_HARD, FEEDBACK_USEFUL, demo_url
    from lce_utils.mentorship.models import LearnerFeedback
    from lce_utils.mentorship.store import reading

    url = url or demo_url()
    with reading(url) as session:
        if session.scalar(select(func.count()).select_from(LearnerFeedback)):
            return 0
    rng = random.Random(seed)
    hard, useful = FEEDBACK_HARD, FEEDBACK_USEFUL
    lessons = [c for c in known_contexts() if c != MENTORSHIP][:6] + [MENTORSHIP]
    count = 0
    for n, context in enumerate(lessons):
        for _ in range(3 if n == 1 else 6 + rng.randint(0, 8)):  # the second lesson: too few answers to show
            store_answer({"context": context, "useful": rng.choice([3, 4, 4, 5, 5]), "hard": rng.choice([2, 3, 3, 4]),
                          "what_hard": rng.choice(hard + [""]), "what_useful": rng.choice(useful + [""])},
                         url, dt.date.today() - dt.timedelta(days=rng.randint(0, 90)))
            count += 1
    return count


# --- `lce knowledge feedback ...` -------------------------------------------------------------------------------

def register_commands(sub: Any) -> None:
    """Add `lce knowledge feedback contexts|link`."""
    parser = sub.add_parser("feedback", help="the anonymous feedback form: known contexts and links",
                            description="The anonymous feedback form (mentorship/feedback/, served by `lce "
                            "mentorship serve`) is opened with ?context= naming a lesson, a lab or the mentorship.")
    fsub = parser.add_subparsers(dest="feedback_command", metavar="ACTION")
    fsub.required = True
    contexts = fsub.add_parser("contexts", help="every context the form accepts, with its title")
    contexts.set_defaults(func=_contexts)
    link = fsub.add_parser("link", help="the form's address for one context")
    link.add_argument("context")
    link.add_argument("--base", default="", help="the mentorship server's address, e.g. https://lce.example.org")
    link.add_argument("--lang", choices=("sv", "en"), default="sv")
    link.set_defaults(func=_link)


def _contexts(args: Any) -> int:
    for context, (sv, en) in known_contexts().items():
        print(f"{context:<60} {sv} / {en}")
    return 0


def _link(args: Any) -> int:
    from lce_utils.errors import UsageError

    if args.context not in known_contexts():
        raise UsageError(both("feedback_unknown_context", context=repr(args.context)))
    print(feedback_link(args.context, args.base, args.lang))
    return 0


def run_step(args: Any) -> str:
    """`lce run`: fictitious answers in the demo store for the demo report site."""
    return f"lesson feedback: {demo_answers()} fictitious answers (demo)"
