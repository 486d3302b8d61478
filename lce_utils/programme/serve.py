"""`lce programme serve`: the programme register's apps (programme/) on the mentorship apps' hardened server.

The same server (`lce_utils.mentorship.serve`), described by `PROGRAMME`: the participants' attestation page is the
only public notebook; the staff app and everything else need the programme staff's own token
(LCE_PROGRAMME_TOKEN or var/programme-token, never the mentorship coordinator's). The attestation page is not
preheated: its kernel is told the visitor's address when it starts, for the limit on wrong personal codes
(`lce_utils.programme.attendance.CodeGuessLimit`)."""

from __future__ import annotations

from lce_utils import settings
from lce_utils.mentorship.serve import KERNEL_LINE, LOGIN_LINE, AppSite
from lce_utils.messages import both, pair
from lce_utils.paths import ROOT, VAR

PROGRAMME_APPS = ROOT / "programme"
ATTEST = "attest/index.ipynb"
STAFF = "staff/index.ipynb"


def _store() -> object:
    from lce_utils.programme.store import get_engine

    return get_engine()


PROGRAMME = AppSite(
    name="programme", root=PROGRAMME_APPS, public=(ATTEST,), pools=(), preheat_denylist=("staff",),
    token_file=VAR / "programme-token", token_setting=settings.PROGRAMME_TOKEN, db_setting=settings.PROGRAMME_DB,
    proxies_setting=settings.PROGRAMME_TRUSTED_PROXIES,
    audience=pair("page_audience_programme"),
    invitation=(f"voila/render/{ATTEST}", *pair("page_invitation_programme")),
    urls=(both("serve_programme") + ":",
          f"  {both('serve_attest')}: {{base}}/voila/render/{ATTEST}",
          f"  {both('serve_staff')}: {{base}}/voila/render/{STAFF}",
          LOGIN_LINE,
          KERNEL_LINE.replace("{pools}", "no preheated pool, ")),
    prepare_store=_store, client_env=True, cookie_name="lce-programme-login")


def serve(port: int = 8889, host: str = "127.0.0.1", token: str | None = None, db: str | None = None,
          demo: bool = False, **options: object) -> int:
    """Run the programme's server until interrupted (options as `lce_utils.mentorship.serve.serve`); with demo,
    the demo register (fictitious people, seeded if empty) instead of the real one."""
    from lce_utils import database
    from lce_utils.errors import UsageError
    from lce_utils.mentorship.serve import serve as serve_site
    from lce_utils.programme.store import normalise_url

    if demo and db:
        raise UsageError("--demo serves the demo register: leave out --db (or --demo) / ange inte --db med --demo")
    if demo:
        from lce_utils.programme.demo import demo_url, seed_demo

        db = demo_url()
        print(seed_demo(db), flush=True)
    url = normalise_url(db)  # (absolute: the kernels run in the apps' folders)
    print(f"register / register: {database.describe(url)}{' (demo, fictitious people)' if demo else ''}",
          flush=True)
    return serve_site(port=port, host=host, token=token, db=url, pool=0, preheat=False, site=PROGRAMME,
                      **options)  # type: ignore[arg-type]
