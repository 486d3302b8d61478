"""The sign-up app: every field of an application, the privacy notice beside the consent, errors per field."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from lce_utils.app_base import App
from lce_utils.mentorship import options as opt
from lce_utils.mentorship.apps.common import (
    CheckGroup,
    Field,
    LanguageSwitch,
    StatusLine,
    esc,
    hosting_refusal,
    log_exception,
    message,
    relabel_choice,
)
from lce_utils.mentorship.store import RETENTION_DAYS, submit_application
from lce_utils.mentorship.validation import ValidationError, validate_application
from lce_utils.messages import t

TEXT_FIELDS = ("name", "email", "organisation")


class SignupApp(App):
    """The sign-up form; `show()` displays it, `collect()` gives the dict submit_application takes."""

    def __init__(self, lang: str = "sv", url: str | None = None, store: bool | None = None):
        self.url = url
        self.store = (not hosting_refusal()) if store is None else store
        self.title = w.HTML()
        self.intro = w.HTML()
        self.switch = LanguageSwitch(self.relabel, lang)
        self.hosted_note = w.HTML()
        self.summary = w.HTML("")
        wide = w.Layout(width="100%")
        self.fields: dict[str, Field] = {
            "name": Field("name", w.Text(layout=wide)),
            "email": Field("email", w.Text(layout=wide)),
            "organisation": Field("organisation", w.Text(layout=wide)),
            "role": Field("role", w.RadioButtons(options=opt.choices(opt.ROLES), value=None)),
            "capacity": Field("capacity", w.Dropdown(options=[("1", 1), ("2", 2), ("3", 3)], value=1)),
            "field": Field("field", w.Dropdown(options=[("—", "")] + opt.choices(opt.FIELDS), value="",
                                               layout=wide)),
            "skills_offered": Field("skills_offered", w.Textarea(layout=wide)),
            "skills_wanted": Field("skills_wanted", w.Textarea(layout=wide)),
            "goals": Field("goals", w.Textarea(layout=wide)),
            "municipality": Field("municipality", w.Dropdown(options=[("—", "")] + [(m, m) for m in
                                                                                    opt.MUNICIPALITIES],
                                                             value="", layout=wide)),
        }
        self.languages = CheckGroup("languages", list(opt.LANGUAGES))
        self.availability = CheckGroup("availability", list(opt.AVAILABILITY))
        self.privacy = w.HTML()
        self.consent_purpose = Field("consent_purpose", w.Checkbox(value=False, indent=False,
                                                                   layout=w.Layout(width="auto")))
        self.consent_contact = Field("consent_contact", w.Checkbox(value=False, indent=False,
                                                                   layout=w.Layout(width="auto")))
        # the network directory: optional, never ticked in advance, its own text (lce_utils.knowledge.directory)
        self.directory_note = w.HTML()
        self.consent_directory = Field("consent_directory", w.Checkbox(value=False, indent=False,
                                                                       layout=w.Layout(width="auto")))
        self.submit = w.Button(button_style="primary")
        self.submit.on_click(lambda _b: self.on_submit())
        self.result = StatusLine("")
        # shown when the e-mail is stored under another name and a code was mailed to it (identity.py)
        self.code_note = w.HTML("")
        self.code = Field("code", w.Text(layout=w.Layout(width="12em")))
        self.confirm_code = w.Button(button_style="primary")
        self.confirm_code.on_click(lambda _b: self.on_confirm_code())
        self.code_box = w.VBox([self.code_note, self.code.box, self.confirm_code], layout=w.Layout(display="none"))
        self._pending_id: int | None = None
        for f in self.fields.values():
            f.widget.style.description_width = "initial"
        self.fields["role"].widget.observe(lambda _c: self._show_capacity(), names="value")
        self.form = w.VBox([
            self.summary,
            self.fields["name"].box, self.fields["email"].box, self.fields["organisation"].box,
            self.fields["role"].box, self.fields["capacity"].box, self.fields["field"].box,
            self.fields["skills_offered"].box, self.fields["skills_wanted"].box, self.fields["goals"].box,
            self.languages.box, self.availability.box, self.fields["municipality"].box,
            self.privacy, self.consent_purpose.box, self.consent_contact.box,
            self.directory_note, self.consent_directory.box, self.submit,
        ])
        self.build([self.title, self.switch.widget, self.intro, self.hosted_note, self.form,
                            self.result, self.code_box], lang)
        self._show_capacity()

    # --- language --------------------------------------------------------------------------------------------
    def relabel(self, lang: str) -> None:
        """Show every label, option and message in lang."""
        req = " " + t("required", lang)
        self.heading("signup_title", lang)
        self.intro.value = f'<p lang="{lang}">{esc(t("signup_intro", lang))}</p>'
        self.hosted_note.value = ("" if self.store else
                                  f'<div class="lce-warn" role="note">{esc(t("hosted_refusal", lang))}</div>')
        for name, f in self.fields.items():
            text = t(name, lang)
            f.widget.description = text + (req if name in {"name", "email", "goals", "role", "field",
                                                           "municipality"} else "")
        self.fields["skills_offered"].widget.description = t("skills_offered", lang)
        self.fields["skills_wanted"].widget.description = t("skills_wanted", lang)
        relabel_choice(self.fields["role"].widget, opt.choices(opt.ROLES, lang))
        relabel_choice(self.fields["field"].widget, [("—", "")] + opt.choices(opt.FIELDS, lang))
        self.languages.relabel(t("languages", lang) + req, {k: opt.label(opt.LANGUAGES, k, lang)
                                                           for k in opt.LANGUAGES})
        self.availability.relabel(t("availability", lang) + req, {k: opt.label(opt.AVAILABILITY, k, lang)
                                                                 for k in opt.AVAILABILITY})
        self.privacy.value = (f'<div class="lce-notice" id="privacy-notice"><strong>{esc(t("privacy_title", lang))}'
                              f'</strong><br>{esc(t("privacy_notice", lang, days=RETENTION_DAYS))}</div>')
        self.consent_purpose.widget.description = t("consent_purpose", lang)
        self.consent_contact.widget.description = t("consent_contact", lang)
        self.directory_note.value = (f'<div class="lce-notice" id="directory-notice">'
                                     f'{esc(t("directory_notice", lang))}</div>')
        self.consent_directory.widget.description = t("consent_directory", lang)
        self.submit.description = t("submit", lang)
        self.code.widget.description = t("code", lang)
        self.code_note.value = f'<div class="lce-notice" role="status">{esc(t("code_sent", lang))}</div>'
        self.confirm_code.description = t("confirm_code", lang)
        if getattr(self, "_last_errors", None):
            self.show_errors(self._last_errors)
        self.result.relabel(lang)

    def _show_capacity(self) -> None:
        self.fields["capacity"].box.layout.display = None if self.fields["role"].widget.value == "mentor" else "none"

    # --- data ------------------------------------------------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        """The form's values as submit_application expects them."""
        f = {name: field.widget.value for name, field in self.fields.items()}
        return {
            "name": f["name"], "email": f["email"], "organisation": f["organisation"] or None,
            "role": f["role"], "field": f["field"], "skills_offered": f["skills_offered"].splitlines(),
            "skills_wanted": f["skills_wanted"].splitlines(), "goals": f["goals"],
            "languages": self.languages.value, "availability": self.availability.value,
            "municipality": f["municipality"], "capacity": f["capacity"] if f["role"] == "mentor" else 1,
            "consent_purpose": self.consent_purpose.widget.value,
            "consent_contact": self.consent_contact.widget.value,
            "consent_directory": self.consent_directory.widget.value,
        }

    def all_fields(self) -> dict[str, Any]:
        return {**self.fields, "languages": self.languages, "availability": self.availability,
                "consent_purpose": self.consent_purpose, "consent_contact": self.consent_contact,
                "consent_directory": self.consent_directory}

    def show_errors(self, errors: dict[str, tuple[str, str]]) -> None:
        """Put each field's message next to it and a summary at the top."""
        self._last_errors = errors
        lang = self.lang
        fields = self.all_fields()
        for name, field in fields.items():
            pair = errors.get(name)
            field.set_error(None if pair is None else (pair[1] if lang == "en" else pair[0]))
        if errors:
            names = ", ".join(esc(t(n, lang)) if n in fields else esc(n) for n in errors)
            self.summary.value = (f'<div class="lce-error" role="alert">{esc(t("form_has_errors", lang))} '
                                  f'({names})</div>')
        else:
            self.summary.value = ""

    def on_submit(self) -> None:
        """Validate in Python and store (or, where storing is refused, only check)."""
        lang = self.lang
        self.submit.disabled = True
        try:
            data = self.collect()
            if not self.store:
                validate_application(data)
                self.show_errors({})
                self.result.say(message("demo_checked"), lang)
                return
            app = submit_application(data, self.url)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            self.result.say(None, lang)
            return
        except Exception:
            log_exception("sign-up")
            self.result.say(message("storage_failed", ok=False), lang)
            return
        finally:
            self.submit.disabled = False
        self.show_errors({})
        key = "already_received" if getattr(app, "duplicate", False) else "confirmation"
        self.form.layout.display = "none"
        # the name sent, never the stored one: a pending application must not show a stranger who has the address
        self.result.say(message(key, element_id="confirmation", name=app.submitted_name or app.person.name,
                                id=app.id, email=app.person.email), lang)
        if getattr(app, "code_sent", False):
            self._pending_id = app.id
            self.code_box.layout.display = None

    def on_confirm_code(self) -> None:
        """Confirm a pending application with the code mailed to the stored address."""
        from lce_utils.mentorship.identity import confirm_application  # (mail modules: only when needed)

        try:
            app = confirm_application(self._pending_id or 0, self.code.widget.value, self.url)
        except ValidationError as exc:
            self.code.set_error(exc.message("code", self.lang))
            return
        except Exception:
            log_exception("sign-up code")
            self.code.set_error(t("storage_failed", self.lang))
            return
        self.code.set_error(None)
        self.code_box.layout.display = "none"
        self.result.say(message("code_confirmed", element_id="confirmation", id=app.id), self.lang)

