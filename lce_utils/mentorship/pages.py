"""The server's own pages, in Swedish and English, self-contained (no CDN, no script): log in, logged out, busy."""

from __future__ import annotations

from html import escape

from lce_utils.messages import both, pair, t

STYLE = """<style>
body { font-family: system-ui, sans-serif; font-size: 17px; line-height: 1.5; color: #1d1d1f; margin: 0;
  background: #f6f7f9; }
main { max-width: 34em; margin: 3em auto; padding: 1.5em 2em; background: #fff; border: 1px solid #ccd; }
h1 { font-size: 1.5em; margin: 0 0 0.5em 0; }
.en { color: #333; }
label { display: block; font-weight: 600; margin: 1em 0 0.3em 0; }
input[type=password] { font-size: 17px; width: 100%; box-sizing: border-box; padding: 0.4em;
  border: 2px solid #555; }
button { font-size: 17px; margin-top: 1em; padding: 0.4em 1.2em; }
:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.error { color: #a51d2d; font-weight: 600; }
a { color: #1a4f9c; }
</style>"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n{STYLE}\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _bilingual(key: str, **params: object) -> str:
    """The Swedish text, then the English one marked lang="en" (both escaped)."""
    sv, en = pair(key, **params)
    return f'{escape(sv)} <span lang="en" class="en">/ {escape(en)}</span>'


MENTORSHIP_AUDIENCE = pair("page_audience_mentorship")
MENTORSHIP_INVITATION = pair("page_invitation_mentorship")  # {link}...{end}: the link to the sign-up


def login_page(*, action: str, next_url: str, xsrf_html: str, failed: bool, signup_url: str,
               audience: tuple[str, str] = MENTORSHIP_AUDIENCE,
               invitation: tuple[str, str] = MENTORSHIP_INVITATION) -> str:
    """The staff's log-in form (the token), with a bilingual error after a wrong token: audience says who the
    pages behind it are for, invitation (with {link}...{end}) leads everyone else to the public page signup_url."""
    error = (f'<p class="error" id="login-error" role="alert">{_bilingual("page_wrong_token")}</p>\n'
             if failed else "")
    described = ' aria-describedby="login-error" aria-invalid="true"' if failed else ""
    return _page(both("page_login"), f"""<h1>{_bilingual("page_login")}</h1>
<p>{escape(audience[0])} <span lang="en" class="en">{escape(audience[1])}</span></p>
{error}<form method="post" action="{escape(action)}">
{xsrf_html}
<input type="hidden" name="next" value="{escape(next_url)}">
<label for="password">Token <span lang="en" class="en">(token)</span></label>
<input type="password" id="password" name="password" autocomplete="current-password" required
  autofocus{described}>
<button type="submit">{escape(t("page_login"))} <span lang="en">/ {escape(t("page_login", "en"))}</span></button>
</form>
<p>{_linked(invitation[0], signup_url)}
<span lang="en" class="en">{_linked(invitation[1], signup_url)}</span></p>""")


def _linked(text: str, url: str) -> str:
    """text escaped, with its {link}...{end} made a link to url."""
    return escape(text).replace("{link}", f'<a href="{escape(url)}">').replace("{end}", "</a>")


def logout_page(*, login_url: str) -> str:
    """Shown after logging out (the cookie is cleared)."""
    sv, en = pair("page_login_again")
    link = f'<a href="{escape(login_url)}">'
    return _page(both("page_logged_out"), f"""<h1>{_bilingual("page_you_are_logged_out")}</h1>
<p>{link}{escape(sv)}</a> <span lang="en" class="en">/ {link}{escape(en)}</a></span></p>""")


def busy_page(*, retry_after: int) -> str:
    """The full-server page: it reloads itself after `retry_after` seconds (a meta refresh, no script)."""
    sv, en = pair("page_busy_body")
    page = _page(both("page_busy"), f"""<h1>{_bilingual("page_busy")}</h1>
<p>{escape(sv)}</p>
<p lang="en" class="en">{escape(en)}</p>
<p role="status">{_bilingual("page_busy_retry", seconds=retry_after)}</p>""")
    return page.replace("<title>", f'<meta http-equiv="refresh" content="{retry_after}">\n<title>', 1)


def error_page(status: int) -> str:
    """A plain page for an HTTP error: what happened, in both languages, and nothing about the server."""
    key = f"page_error_{status}" if status in (403, 404, 405) else "page_error"
    return _page(both(key), f"""<h1>{_bilingual(key)}</h1>
<p>{_bilingual("page_error_code")} {int(status)}.</p>""")
