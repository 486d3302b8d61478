"""What the three apps share: the language switch, fields with their error messages, status lines that follow the
chosen language, hosting checks. The styles and the accessibility glue (focus, aria-invalid, radio groups) are in
the Voilà template (mentorship/voila-template), so they are not sent as widget state with every page."""

from __future__ import annotations

import html
import os
import sys
import traceback
from collections.abc import Callable, Mapping

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle

from lce_utils import settings
from lce_utils.messages import t, tn

BINDER_MARKERS = ("BINDER_SERVICE_HOST", "BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REF_URL",
                  "BINDER_PERSISTENT_REQUEST", "REPO_DIR")
HUB_MARKERS = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER")


def hosting_refusal(env: Mapping[str, str] | None = None) -> bool:
    """True when the app runs where personal data must not be stored (public Binder, or an unconfigured hub).

    On Binder nothing is stored unless LCE_MENTORSHIP_ALLOW_HOSTED=1; on another JupyterHub, only when the
    store was configured explicitly (LCE_MENTORSHIP_DB) or LCE_MENTORSHIP_ALLOW_HOSTED=1."""
    env = os.environ if env is None else env
    if settings.MENTORSHIP_ALLOW_HOSTED(env):
        return False
    binder = any(env.get(k) for k in BINDER_MARKERS[:5]) or "mybinder" in env.get("JUPYTERHUB_BASE_URL", "") \
        or (bool(env.get("REPO_DIR")) and bool(env.get("JUPYTERHUB_SERVICE_PREFIX")))
    if binder:
        return True
    hub = any(env.get(k) for k in HUB_MARKERS)
    return hub and not settings.MENTORSHIP_DB.is_set(env)


def esc(value: object) -> str:
    """HTML-escaped text (names and other user input are never markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def log_exception(where: str) -> None:
    """Write an unexpected error to the server log (never to the page)."""
    print(f"lce mentorship: unexpected error in {where}:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


class Field:
    """An input widget with its error line below it (the template links the two: aria-invalid, aria-describedby)."""

    def __init__(self, name: str, widget: w.Widget):
        self.name = name
        self.widget = widget
        self.error = w.HTML("", layout=w.Layout(display="none"))
        self.box = w.VBox([widget, self.error])
        self.box.add_class("lce-field")

    def set_error(self, message: str | None) -> None:
        if message:
            self.error.value = f'<div class="lce-error" id="err-{self.name}" role="alert">⚠ {esc(message)}</div>'
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"


class CheckGroup:
    """A group of checkboxes (keyboard-friendly multi-choice), with a heading and an error line."""

    def __init__(self, name: str, keys: list[str]):
        self.name = name
        self.keys = keys
        self.heading = w.HTML()
        layout = w.Layout(width="auto")  # one layout and one style model for all the boxes: less state to send
        style = CheckboxStyle()
        self.boxes = {k: w.Checkbox(value=False, indent=False, layout=layout, style=style) for k in keys}
        self.error = w.HTML("", layout=w.Layout(display="none"))
        grid = w.GridBox(list(self.boxes.values()))
        grid.add_class("lce-choices")
        self.box = w.VBox([self.heading, grid, self.error])
        self.box.add_class("lce-field")
        self.box.add_class("lce-checkgroup")

    def relabel(self, heading: str, labels: dict[str, str]) -> None:
        self.heading.value = f'<div class="lce-group-label" id="label-{self.name}">{esc(heading)}</div>'
        for key, box in self.boxes.items():
            box.description = labels[key]

    @property
    def value(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.value]

    def set_error(self, message: str | None) -> None:
        Field.set_error(self, message)  # type: ignore[arg-type]


class StatusLine(w.HTML):
    """A result or status message that is shown again in the other language when the visitor switches."""

    def say(self, render: Callable[[str], str] | None, lang: str) -> None:
        """Show render(lang) now and render(new language) after a switch; None clears the line."""
        self._render = render
        self.value = render(lang) if render else ""

    def relabel(self, lang: str) -> None:
        render = getattr(self, "_render", None)
        if render is not None:
            self.value = render(lang)


def message(key: str, ok: bool = True, count: int | None = None, element_id: str | None = None,
            **params: object) -> Callable[[str], str]:
    """A renderer for StatusLine.say: the text of key (its singular form when count is 1) as a status or an alert."""
    css, role = ("lce-ok", "status") if ok else ("lce-error", "alert")
    ident = f' id="{element_id}"' if element_id else ""

    def render(lang: str) -> str:
        text = tn(key, count, lang, **params) if count is not None else t(key, lang, **params)
        return f'<div class="{css}" role="{role}"{ident}>{esc(text)}</div>'
    return render


class LanguageSwitch:
    """Svenska / English toggle; calls on_change(lang) when it changes."""

    def __init__(self, on_change: Callable[[str], None], lang: str = "sv"):
        self.widget = w.ToggleButtons(options=[("Svenska", "sv"), ("English", "en")], value=lang,
                                      description=t("language_switch"),
                                      style={"description_width": "initial", "button_width": "7em"})
        self.widget.observe(lambda change: on_change(change["new"]), names="value")

    @property
    def lang(self) -> str:
        return self.widget.value


def relabel_choice(widget: w.Widget, options: list[tuple[str, str]]) -> None:
    """Change a selection widget's labels to another language, keeping its value."""
    value = widget.value
    widget.options = options
    widget.value = value
