"""The network directory: participants (programme register) and mentorship applicants who consented, with field,
municipality and skills, reached through the programme office by a reference (never an e-mail address or phone).

Consent lives with each person's own data: `directory_consents` in the mentorship store (given on the sign-up
form, `lce_utils.mentorship.store.give_directory_consent`) and `programme_directory_entries` in the register
(recorded by staff, `lce_utils.programme.directory`). Each store's erasure deletes its row; a revoked consent keeps
its row (when, by whom) but is never listed. The page is written on every site build (`write_page`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from lce_utils import settings
from lce_utils.errors import DataError, LCEError
from lce_utils.messages import both, pair

PAGE = "katalog.html"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number as people write them: +46 70-123 45 67, 040-12 34 56, or ten digits in a row (seven or more)
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?|0)\d{1,4}(?:[\s-]?\d{1,4}){1,5}(?![\w])")
# A mentor and mutual mentoring are named as in the sign-up; the directory's mentee is the bare word, without the
# sign-up's explanation (role_mentee: "Adept (vill ha en mentor)").
ROLE_LABELS = {"participant": pair("knowledge_role_participant"), "mentor": pair("role_mentor"),
               "mentee": pair("knowledge_role_mentee"), "mutual": pair("role_mutual")}


@dataclass(frozen=True)
class Entry:
    """One person as the directory shows them."""
    reference: str
    name: str
    organisation: str | None
    roles: tuple[str, ...]
    field: str
    municipality: str
    skills_offered: tuple[str, ...] = ()
    skills_wanted: tuple[str, ...] = ()
    private: dict[str, Any] = dc_field(default_factory=dict, compare=False, repr=False)  # staff look-up only


def has_contact_details(text: str) -> bool:
    """Whether text holds something like an e-mail address or a phone number."""
    return bool(EMAIL.search(text)) or any(sum(c.isdigit() for c in m.group()) >= 7 for m in PHONE.finditer(text))


def _clean(values: Any) -> tuple[str, ...]:
    """Skills without any that carry contact details (the directory's only way to reach someone is the office)."""
    return tuple(v for v in (values or []) if not has_contact_details(v))


def _sqlite_missing(url: str) -> bool:
    database = make_url(url).database
    return make_url(url).get_backend_name() == "sqlite" and bool(database) and database != ":memory:" and \
        not Path(str(database)).is_file()


def mentorship_entries(url: str | None) -> list[Entry]:
    """Mentorship applicants with a consent in force, each with their newest active application's details."""
    from lce_utils.mentorship import store
    from lce_utils.mentorship.models import Application, DirectoryConsent, Person

    if url is not None and _sqlite_missing(store.normalise_url(url)):
        return []
    entries = []
    with store.reading(url) as session:
        rows = session.execute(select(DirectoryConsent, Person).join(Person, Person.id == DirectoryConsent.person_id)
                               .where(DirectoryConsent.revoked_at.is_(None)).order_by(DirectoryConsent.id)).all()
        for consent, person in rows:
            app = session.scalar(select(Application).where(Application.person_id == person.id,
                                                           Application.status == "active")
                                 .order_by(Application.created_at.desc(), Application.id.desc()).limit(1))
            if app is None:  # (no active application left: nothing to list)
                continue
            entries.append(Entry(consent.reference, person.name, person.organisation, (app.role,), app.field,
                                 app.municipality, _clean(app.skills_offered), _clean(app.skills_wanted),
                                 {"email": person.email, "store": "mentorship"}))
    return entries


def programme_entries(url: str | None) -> list[Entry]:
    """Programme participants with a consent in force (what staff recorded with it)."""
    from lce_utils.programme import store
    from lce_utils.programme.models import DirectoryEntry, Person

    if url is not None and _sqlite_missing(store.normalise_url(url)):
        return []
    with store.reading(url) as session:
        rows = session.execute(select(DirectoryEntry, Person).join(Person, Person.id == DirectoryEntry.person_id)
                               .where(DirectoryEntry.revoked_at.is_(None)).order_by(DirectoryEntry.id)).all()
        return [Entry(d.reference, p.name, p.institution, ("participant",), d.field, d.municipality,
                      _clean(d.skills_offered), _clean(d.skills_wanted),
                      {"email": p.email or p.mentorship_email, "person_id": p.id, "store": "programme"})
                for d, p in rows]


def entries(mentorship_db: str | None, programme_db: str | None) -> list[Entry]:
    """Everyone the directory lists, sorted by name; a participant who is also a consenting mentorship applicant
    (the register's mentorship e-mail) is listed once, with both roles."""
    people = programme_entries(programme_db) if programme_db else []
    by_email = {e.private.get("email"): i for i, e in enumerate(people) if e.private.get("email")}
    for entry in mentorship_entries(mentorship_db) if mentorship_db else []:
        i = by_email.get(entry.private["email"])
        if i is None:
            people.append(entry)
        else:  # (the register's listing stays; the mentorship role is added)
            known = people[i]
            people[i] = Entry(known.reference, known.name, known.organisation, known.roles + entry.roles,
                              known.field, known.municipality, known.skills_offered, known.skills_wanted,
                              {**known.private, "also": entry.reference})
    return sorted(people, key=lambda e: (e.name.casefold(), e.reference))


def lookup(reference: str, mentorship_db: str | None = None, programme_db: str | None = None) -> dict[str, Any]:
    """For the programme office: who a directory reference names (name and e-mail to forward a message to)."""
    wanted = reference.strip().upper()
    for entry in entries(mentorship_db or _default("mentorship"), programme_db or _default("programme")):
        if wanted in (entry.reference, entry.private.get("also")):
            return {"reference": entry.reference, "name": entry.name, "email": entry.private.get("email")}
    raise DataError(both("knowledge_err_no_reference", reference=repr(wanted)))


def sources(config: Mapping[str, Any], root: Path) -> dict[str, str | None]:
    """The databases a site's manifest names for the directory (its `directory:` key), {root} filled in."""
    spec = config.get("directory") or {}
    if not isinstance(spec, Mapping):
        raise LCEError(both("knowledge_err_directory_config"))
    return {name: str(spec[name]).replace("{root}", str(root)) if spec.get(name) else None
            for name in ("mentorship_db", "programme_db")}


def render_page(people: list[Entry], *, updated: str, contact: str, demo: bool = False, k: int = 5) -> str:
    """The directory page (Jinja, autoescaped); LCEError if anything on it looks like a person's e-mail or phone."""
    from lce_utils.mentorship import options
    from lce_utils.reports.render import _env

    def label(table: Mapping[str, tuple[str, str]], key: str) -> tuple[str, str]:
        return table.get(key, (key, key))

    rows = [{"e": e, "roles": [ROLE_LABELS[r] for r in e.roles], "field": label(options.FIELDS, e.field)}
            for e in people]
    page = _env().get_template("directory.html.j2").render(rows=rows, updated=updated, contact=contact,
                                                            demo=demo, k=k)
    check_page(page, contact)
    return page


def check_page(page: str, contact: str) -> None:
    """Refuse a directory page with an e-mail address other than the programme office's, or a phone number."""
    visible = re.sub(r'datetime="[^"]*"', "", page)
    others = sorted({m.group() for m in EMAIL.finditer(visible)} - {contact})
    phones = [m.group() for m in PHONE.finditer(visible) if sum(c.isdigit() for c in m.group()) >= 7]
    if others or phones:
        raise LCEError(both("knowledge_err_contact_details", emails=len(others), phones=len(phones)))


def write_page(site: Path, config: Mapping[str, Any], root: Path, *, updated: str, contact: str,
               demo: bool = False) -> int:
    """Write the directory page into site from the databases config names; returns how many people it lists."""
    src = sources(config, root)
    people = entries(src["mentorship_db"], src["programme_db"]) if any(src.values()) else []
    (Path(site) / PAGE).write_text(render_page(people, updated=updated, contact=contact, demo=demo),
                                   encoding="utf-8")
    return len(people)


def demo_consents(mentorship_db: str | None = None, programme_db: str | None = None, every: int = 6) -> int:
    """Consent for every `every`-th demo person of both demo stores (fictitious people; safe to run again)."""
    from lce_utils.mentorship.demo import demo_url as mentorship_demo
    from lce_utils.mentorship.models import Application
    from lce_utils.mentorship.store import give_directory_consent, transaction
    from lce_utils.programme import directory
    from lce_utils.programme.demo import demo_url as programme_demo
    from lce_utils.programme.models import DirectoryEntry, Person
    from lce_utils.programme.store import reading

    mentorship_db = mentorship_db or mentorship_demo()
    programme_db = programme_db or programme_demo()
    count = 0
    if not _sqlite_missing(mentorship_db):
        def write(session: Any) -> int:
            ids = sorted(set(session.scalars(select(Application.person_id).where(Application.status == "active"))))
            for pid in ids[::every]:
                give_directory_consent(session, pid, "demo")
            return len(ids[::every])
        count += transaction(write, mentorship_db)
    if not _sqlite_missing(programme_db):
        from lce_utils.mentorship import options
        with reading(programme_db) as session:
            people = list(session.scalars(select(Person.id).order_by(Person.id)))[::every]
            done = set(session.scalars(select(DirectoryEntry.person_id)))
        skills = ["grant writing", "audience development", "sound design", "exhibition design", "budgeting",
                  "storytelling", "copyright", "touring", "podcasting"]
        for n, pid in enumerate(people):
            if pid not in done:
                listing = {"field": list(options.FIELDS)[n % len(options.FIELDS)],
                           "municipality": options.MUNICIPALITIES[(7 * n) % len(options.MUNICIPALITIES)],
                           "skills_offered": [skills[n % len(skills)]],
                           "skills_wanted": [skills[(n + 4) % len(skills)]]}
                directory.give_consent(str(pid), listing, programme_db, actor="demo")
        count += len(people)
    return count


def environment_sources() -> dict[str, str | None]:
    """The stores named by LCE_MENTORSHIP_DB and LCE_PROGRAMME_DB (for staff commands)."""
    return {"mentorship_db": settings.MENTORSHIP_DB.raw() or None, "programme_db": settings.PROGRAMME_DB.raw() or None}


def revoke(reference: str, mentorship_db: str | None = None, programme_db: str | None = None,
           actor: str | None = None) -> str:
    """Withdraw the consent behind a directory reference, in whichever store holds it; says where."""
    from lce_utils.mentorship import store as mstore
    from lce_utils.mentorship.models import DirectoryConsent, Person
    from lce_utils.programme import directory as pdirectory
    from lce_utils.programme import store as pstore
    from lce_utils.programme.models import DirectoryEntry

    wanted = reference.strip().upper()
    if wanted.startswith("M-") and not _sqlite_missing(mstore.normalise_url(mentorship_db)):
        with mstore.reading(mentorship_db) as session:
            email = session.scalar(select(Person.email).join(DirectoryConsent, DirectoryConsent.person_id == Person.id)
                                   .where(DirectoryConsent.reference == wanted))
        if email is not None:
            done = mstore.revoke_directory_consent(email, mentorship_db, actor)
            return f"{wanted}: " + both("knowledge_consent_revoked" if done else "knowledge_consent_already_withdrawn")
    if wanted.startswith("P-") and not _sqlite_missing(pstore.normalise_url(programme_db)):
        with pstore.reading(programme_db) as session:
            person_id = session.scalar(select(DirectoryEntry.person_id).where(DirectoryEntry.reference == wanted))
        if person_id is not None:
            done = pdirectory.revoke_consent(str(person_id), programme_db, actor)
            return f"{wanted}: " + both("knowledge_consent_revoked" if done else "knowledge_consent_already_withdrawn")
    raise DataError(both("knowledge_err_no_consent", reference=repr(wanted)))


# --- `lce knowledge directory ...` ------------------------------------------------------------------------------

def register_commands(sub: Any) -> None:
    """Add `lce knowledge directory consent|revoke|lookup|list`."""
    from lce_utils.cli import command_group
    dsub = command_group(sub, "directory", help="the network directory: consents, revocations, look-ups",
                         description="The network directory on the report site (katalog.html): participants and "
                         "mentorship applicants who consented. Staff record a participant's consent, withdraw any "
                         "consent by its reference, and find whom a reference names to forward a message.",
                         dest="directory_command", metavar="ACTION")

    def stores(p: Any) -> None:
        p.add_argument("--mentorship-db", default=None, metavar="URL", help="default: LCE_MENTORSHIP_DB")
        p.add_argument("--programme-db", default=None, metavar="URL", help="default: LCE_PROGRAMME_DB")

    consent = dsub.add_parser("consent", help="record a programme participant's consent and what is listed",
                              description="Record that a participant (register id or e-mail) consented, after "
                              "reading the directory text, to be listed with these details.")
    consent.add_argument("participant", help="register person id or e-mail")
    consent.add_argument("--field", required=True, help="one of: " + ", ".join(_field_keys()))
    consent.add_argument("--municipality", required=True, help="a municipality of the county, e.g. Lund")
    consent.add_argument("--offers", nargs="*", default=[], metavar="SKILL", help="skills offered")
    consent.add_argument("--wants", nargs="*", default=[], metavar="SKILL", help="skills wanted")
    stores(consent)
    consent.set_defaults(func=_consent)
    rev = dsub.add_parser("revoke", help="withdraw a consent by its reference (M-… applicant, P-… participant)")
    rev.add_argument("reference")
    stores(rev)
    rev.set_defaults(func=_revoke)
    look = dsub.add_parser("lookup", help="whom a reference names (name and e-mail, to forward a message)")
    look.add_argument("reference")
    stores(look)
    look.set_defaults(func=_lookup)
    listing = dsub.add_parser("list", help="everyone listed: reference, name, roles (staff only)")
    stores(listing)
    listing.set_defaults(func=_list)


def _field_keys() -> list[str]:
    from lce_utils.mentorship import options
    return list(options.FIELDS)


def _consent(args: Any) -> int:
    from lce_utils.programme import directory as pdirectory
    ref = pdirectory.give_consent(args.participant, {"field": args.field, "municipality": args.municipality,
                                                     "skills_offered": args.offers, "skills_wanted": args.wants},
                                  args.programme_db)
    print(both("knowledge_listed", reference=ref))
    return 0


def _revoke(args: Any) -> int:
    print(revoke(args.reference, args.mentorship_db, args.programme_db))
    return 0


def _lookup(args: Any) -> int:
    found = lookup(args.reference, args.mentorship_db, args.programme_db)
    print(f"{found['reference']}: {found['name']} <{found['email'] or '-'}>")
    return 0


def _list(args: Any) -> int:
    for e in entries(args.mentorship_db or _default("mentorship"), args.programme_db or _default("programme")):
        print(f"{e.reference}  {e.name}  ({', '.join(e.roles)})")
    return 0


def _default(store: str) -> str:
    if store == "mentorship":
        from lce_utils.mentorship.store import default_url
    else:
        from lce_utils.programme.store import default_url
    return default_url()


def run_step(args: Any) -> str:
    """`lce run`: demo consents in the demo stores (every sixth fictitious person), shown on the site's directory."""
    return f"network directory: {demo_consents()} fictitious people consented (demo)"
