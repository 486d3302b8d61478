"""The follow-up app: participants log their mentoring sessions and give feedback (1-5 and free text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w

from lce_utils.app_base import App
from lce_utils.mentorship import options as opt
from lce_utils.mentorship.apps.common import (
    Field,
    LanguageSwitch,
    StatusLine,
    esc,
    log_exception,
    message,
    relabel_choice,
)
from lce_utils.mentorship.store import give_feedback, log_session
from lce_utils.mentorship.validation import ValidationError
from lce_utils.messages import t


class FollowupApp(App):
    """Two small forms sharing the participant's e-mail and match code."""

    def __init__(self, lang: str = "sv", url: str | None = None):
        self.url = url
        wide = w.Layout(width="100%")
        self.title, self.intro = w.HTML(), w.HTML()
        self.switch = LanguageSwitch(self.relabel, lang)
        self.email = Field("email", w.Text(layout=wide))
        self.code = Field("match_code", w.Text(layout=wide))
        self.session_heading, self.feedback_heading = w.HTML(), w.HTML()
        self.held_on = Field("held_on", w.Text(value=dt.date.today().isoformat(), layout=wide))
        self.minutes = Field("minutes", w.BoundedIntText(value=60, min=0, max=100000, layout=wide))
        self.format = Field("session_format", w.Dropdown(options=opt.choices(opt.SESSION_FORMATS), layout=wide))
        self.save_session = w.Button(button_style="primary")
        self.save_session.on_click(lambda _b: self.on_log_session())
        self.session_result = StatusLine()
        self.score = Field("score", w.RadioButtons(options=[("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)],
                                                   value=None))
        self.comment = Field("comment", w.Textarea(layout=wide))
        self.send_feedback = w.Button(button_style="primary")
        self.send_feedback.on_click(lambda _b: self.on_feedback())
        self.feedback_result = StatusLine()
        self._field_errors: dict[str, tuple[str, str]] = {}
        for f in (self.email, self.code, self.held_on, self.minutes, self.format, self.score, self.comment):
            f.widget.style.description_width = "initial"
        self.build([self.title, self.switch.widget, self.intro, self.email.box, self.code.box,
                            self.session_heading, self.held_on.box, self.minutes.box, self.format.box,
                            self.save_session, self.session_result, self.feedback_heading, self.score.box,
                            self.comment.box, self.send_feedback, self.feedback_result], lang)

    def relabel(self, lang: str) -> None:
        """Show every label in lang."""
        self.heading("followup_title", lang)
        self.intro.value = f'<p lang="{lang}">{esc(t("followup_intro", lang))}</p>'
        self.session_heading.value = f"<h2>{esc(t('session_heading', lang))}</h2>"
        self.feedback_heading.value = f"<h2>{esc(t('feedback_heading', lang))}</h2>"
        for f in (self.email, self.code, self.held_on, self.minutes, self.format, self.score, self.comment):
            f.widget.description = t(f.name, lang)
        relabel_choice(self.format.widget, opt.choices(opt.SESSION_FORMATS, lang))
        self.save_session.description = t("log_session", lang)
        self.send_feedback.description = t("send_feedback", lang)
        for f in (self.email, self.code, self.held_on, self.minutes, self.format, self.score, self.comment):
            pair = self._field_errors.get(f.name)
            f.set_error(None if pair is None else (pair[1] if lang == "en" else pair[0]))
        self.session_result.relabel(lang)
        self.feedback_result.relabel(lang)

    def _errors(self, fields: list[Field], errors: dict[str, tuple[str, str]]) -> None:
        for f in fields:
            pair = errors.get(f.name)
            f.set_error(None if pair is None else (pair[1] if self.lang == "en" else pair[0]))
            if pair is None:
                self._field_errors.pop(f.name, None)
            else:
                self._field_errors[f.name] = pair

    def _store(self, what: str, fields: list, result: StatusLine,
               action: Callable[[], Callable[[str], str]]) -> bool:
        """Run action (which stores and returns the confirmation); show field errors or a storage failure instead."""
        try:
            confirmation = action()
        except ValidationError as exc:
            self._errors(fields, exc.errors)
            result.say(None, self.lang)
            return False
        except Exception:
            log_exception(what)
            result.say(message("storage_failed", ok=False), self.lang)
            return False
        self._errors(fields, {})
        result.say(confirmation, self.lang)
        return True

    def on_log_session(self) -> None:
        """Validate and store one session."""
        def action() -> Callable[[str], str]:
            row = log_session(self.email.widget.value, self.code.widget.value, self.held_on.widget.value,
                              self.minutes.widget.value, self.format.widget.value, url=self.url)
            return message("session_saved", held_on=row.held_on.isoformat())

        self._store("follow-up session", [self.email, self.code, self.held_on, self.minutes, self.format],
                    self.session_result, action)

    def on_feedback(self) -> None:
        """Validate and store one feedback."""
        def action() -> Callable[[str], str]:
            give_feedback(self.email.widget.value, self.code.widget.value, self.score.widget.value,
                          self.comment.widget.value, url=self.url)
            return message("feedback_saved")

        if self._store("follow-up feedback", [self.email, self.code, self.score, self.comment],
                       self.feedback_result, action):
            self.comment.widget.value = ""

