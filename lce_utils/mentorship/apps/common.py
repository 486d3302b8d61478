"""What the three apps share: the language switch, field layout with error messages, styles, hosting checks."""

from __future__ import annotations

import html
import os
import sys
import traceback
from collections.abc import Callable, Mapping

import ipywidgets as w

from lce_utils.mentorship.i18n import t

CSS = """
<style>
.lce-app { max-width: 46em; font-size: 16px; line-height: 1.5; }
.lce-app h1 { font-size: 1.7em; margin: 0.3em 0; }
.lce-app h2 { font-size: 1.3em; margin: 0.8em 0 0.2em 0; }
.lce-app .widget-inline-hbox { flex-direction: column; align-items: stretch; height: auto; }
.lce-app .widget-inline-hbox > * { flex: 0 0 auto; }
.lce-app .widget-dropdown > select { height: 2.2em; }
.lce-app .widget-radio-box { height: auto; }
.lce-app .widget-inline-hbox .widget-label { white-space: normal; overflow: visible; width: auto;
  max-width: none; text-align: left; font-weight: 600; margin-bottom: 2px; }
.lce-app .widget-checkbox .widget-label, .lce-app .widget-inline-hbox.widget-checkbox { flex-direction: row; }
.lce-app .widget-checkbox label { white-space: normal; }
.lce-app input, .lce-app textarea, .lce-app select { font-size: 16px; }
.lce-app .widget-text input, .lce-app textarea, .lce-app select { width: 100%; box-sizing: border-box; }
.lce-app textarea { min-height: 4.5em; }
.lce-app :focus-visible { outline: 3px solid #1a5fb4 !important; outline-offset: 2px; }
.lce-error { color: #a51d2d; font-weight: 600; margin: 0 0 0.6em 0; }
.lce-ok { color: #1c5c1c; background: #e9f7e9; border-left: 4px solid #2e7d32; padding: 0.6em 0.8em; }
.lce-warn { color: #5c3c00; background: #fff4d6; border-left: 4px solid #b06f00; padding: 0.6em 0.8em; }
.lce-notice { background: #f2f4f7; border-left: 4px solid #445; padding: 0.5em 0.8em; font-size: 0.95em; }
.lce-table { border-collapse: collapse; font-size: 14px; }
.lce-app.lce-wide { max-width: 110em; }
.lce-table td.why { min-width: 24em; }
.lce-app .widget-html, .lce-app .widget-html-content { width: 100%; }
.lce-table th, .lce-table td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
.lce-app .widget-button { font-size: 16px; height: auto; min-height: 2.2em; width: auto; padding: 0 1em; }
.lce-group { border: 0; padding: 0; margin: 0 0 0.4em 0; }
.lce-app .widget-radio-box label { white-space: normal; }
</style>
"""

BINDER_MARKERS = ("BINDER_SERVICE_HOST", "BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REF_URL",
                  "BINDER_PERSISTENT_REQUEST", "REPO_DIR")
HUB_MARKERS = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER")
ALLOW_HOSTED = "LCE_MENTORSHIP_ALLOW_HOSTED"


def hosting_refusal(env: Mapping[str, str] | None = None) -> bool:
    """True when the app runs where personal data must not be stored (public Binder, or an unconfigured hub).

    On Binder nothing is stored unless LCE_MENTORSHIP_ALLOW_HOSTED=1; on another JupyterHub, only when the
    store was configured explicitly (LCE_MENTORSHIP_DB) or LCE_MENTORSHIP_ALLOW_HOSTED=1."""
    env = os.environ if env is None else env
    if env.get(ALLOW_HOSTED, "").strip().lower() in {"1", "true", "yes"}:
        return False
    binder = any(env.get(k) for k in BINDER_MARKERS[:5]) or "mybinder" in env.get("JUPYTERHUB_BASE_URL", "") \
        or (bool(env.get("REPO_DIR")) and bool(env.get("JUPYTERHUB_SERVICE_PREFIX")))
    if binder:
        return True
    hub = any(env.get(k) for k in HUB_MARKERS)
    return hub and not env.get("LCE_MENTORSHIP_DB")


def esc(value: object) -> str:
    """HTML-escaped text (names and other user input are never markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def log_exception(where: str) -> None:
    """Write an unexpected error to the server log (never to the page)."""
    print(f"lce mentorship: unexpected error in {where}:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


class Field:
    """An input widget with its error line below it."""

    def __init__(self, name: str, widget: w.Widget):
        self.name = name
        self.widget = widget
        self.error = w.HTML("", layout=w.Layout(display="none"))
        self.box = w.VBox([widget, self.error], layout=w.Layout(margin="0 0 0.5em 0"))

    def set_error(self, message: str | None) -> None:
        if message:
            self.error.value = f'<div class="lce-error" id="err-{self.name}" role="alert">⚠ {esc(message)}</div>'
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"


class CheckGroup:
    """A group of checkboxes (keyboard-friendly multi-choice), with a heading and an error line."""

    def __init__(self, name: str, keys: list[str], columns: int = 2):
        self.name = name
        self.keys = keys
        self.heading = w.HTML()
        self.boxes = {k: w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto")) for k in keys}
        self.error = w.HTML("", layout=w.Layout(display="none"))
        grid = w.GridBox(list(self.boxes.values()),
                         layout=w.Layout(grid_template_columns=f"repeat({columns}, minmax(10em, 1fr))"))
        self.box = w.VBox([self.heading, grid, self.error], layout=w.Layout(margin="0 0 0.5em 0"))

    def relabel(self, heading: str, labels: dict[str, str]) -> None:
        self.heading.value = f'<div class="widget-label" style="font-weight:600">{esc(heading)}</div>'
        for key, box in self.boxes.items():
            box.description = labels[key]

    @property
    def value(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.value]

    def set_error(self, message: str | None) -> None:
        Field.set_error(self, message)  # type: ignore[arg-type]


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
