"""The skeleton every Voila form app shares (the mentorship apps, the anonymous feedback form). Light to import:
a lesson's footer imports the feedback module, so ipywidgets and the mentorship store are loaded only when an app
is built."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from lce_utils.messages import t

if TYPE_CHECKING:
    import ipywidgets as w

    from lce_utils.mentorship.apps.common import LanguageSwitch


class App:
    """What every app is: a page (root, of the lce-app class) with a language switch; relabel(lang) shows every
    text in the chosen language (the switch calls it) and show() displays the page. Subclasses make switch, title
    and their widgets, then call build()."""

    switch: LanguageSwitch
    title: w.HTML
    root: w.VBox

    def build(self, children: list[w.Widget], lang: str, *classes: str) -> None:
        """The page of children, every text shown in lang."""
        import ipywidgets as w

        self.root = w.VBox(children)
        for name in ("lce-app", *classes):
            self.root.add_class(name)
        self.relabel(lang)

    @property
    def lang(self) -> str:
        return self.switch.lang

    def relabel(self, lang: str) -> None:
        raise NotImplementedError

    def heading(self, key: str, lang: str) -> None:
        """The page's title: the message key in lang."""
        self.title.value = f'<h1 lang="{lang}">{html.escape(t(key, lang))}</h1>'

    def show(self) -> None:
        """Display the app (in Voila or a notebook)."""
        from IPython.display import display

        display(self.root)
