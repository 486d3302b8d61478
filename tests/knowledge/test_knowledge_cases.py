"""Cases written by participants, for real: the template filled in, `lce knowledge submit` running it in a kernel,
a real SQLite case store, staff review, the report site built with the case on it (and audited), withdrawal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lce_utils.knowledge import case_checks
from lce_utils.knowledge.case_commands import EXAMPLE
from lce_utils.paths import KNOWLEDGE, ROOT
from lce_utils.reports.build import build_site
from tests.reports import samples

pytestmark = pytest.mark.slow  # each test builds and publishes a case (tens of seconds)

TEMPLATE = KNOWLEDGE / "cases" / "template.ipynb"
TINY = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "word = 'x'", "outputs": [],
                   "execution_count": None, "id": "p"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}


def lce(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lce_utils.cli", "knowledge", *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def write_case(path: Path, *, lab_run: Path, story: str, table: str) -> Path:
    """The template filled in: front matter, a story in markdown, the lab run's figures and one table cell."""
    nb = nbformat.read(TEMPLATE, as_version=4)
    front = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    front.source = (f'title_sv = "Utställningar för skolklasser"\ntitle_en = "Exhibitions for school classes"\n'
                    f'authors = [{{"name": "Robin Exempel", "email": "robin@example.org"}}]\n'
                    f'organisation = "Konsthall Exempel (fiktiv)"\nart_form = "bild och form / visual arts"\n'
                    f'licence = "CC BY 4.0"\nconsent_to_publish = True\nlab_run = {str(lab_run)!r}')
    nb.cells.insert(3, nbformat.v4.new_markdown_cell(story))
    nb.cells.append(nbformat.v4.new_code_cell(table))
    nbformat.write(nb, path)
    return path


SMALL = ("import pandas as pd\n"
         "pd.DataFrame({'Grupp / Group': ['Skolklasser', 'Lärare'], 'Besökare / Visitors': [120, 3]})")
PROTECTED = ("import pandas as pd\nfrom lce_utils.privacy import suppress_frame\n"
             "suppress_frame(pd.DataFrame({'Grupp / Group': ['Skolklasser', 'Lärare'], "
             "'Besökare / Visitors': [120, 3]}), ['Besökare / Visitors'])")
STORY = "Robin skrev till lärarna; frågor till robin@example.org."


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    return samples.write_lab_run(tmp_path_factory.mktemp("case-lab"))


def site_config(folder: Path, db: str) -> Path:
    (folder / "templates").mkdir(exist_ok=True)
    (folder / "templates" / "tiny.ipynb").write_text(json.dumps(TINY))
    config = folder / "reports.yaml"
    config.write_text(f"data: demo\ncontact: lce-demo@example.org\ncases: {{database: '{db}'}}\n"
                      "reports:\n  - {id: tiny, title: {sv: Liten, en: Tiny}, template: tiny.ipynb}\n")
    return config


def test_a_case_from_refusal_to_the_site_and_back_off(tmp_path, lab):
    db = f"sqlite:///{tmp_path / 'knowledge.db'}"
    case = tmp_path / "fall.ipynb"

    # someone else's e-mail address in the story: refused before anything runs, naming the cell, in both languages
    write_case(case, lab_run=lab, story=STORY.replace("robin@example.org", "kim.larsson@example.com"),
               table=PROTECTED)
    proc = lce("submit", case, "--db", db)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("cell 4 (markdown): en e-postadress som inte är en författares (ange bara författarnas egna i front "
            "matter) / an e-mail address that is not an author's (give only the authors' own, in the front matter)"
            ) in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n  - ") == 1
    assert "Inga fall väntar" in lce("review", "--db", db).stdout

    # the author's own address is fine; a count of 3 people in a table is refused, with where and what
    write_case(case, lab_run=lab, story=STORY, table=SMALL)
    proc = lce("submit", case, "--db", db)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("cell 9 (output), table 1, row 2, column 'Besökare / Visitors': 3 är ett antal personer under 5: visa "
            "det genom lce_utils.privacy (prickad) / 3 is a count of people under 5: publish it through "
            "lce_utils.privacy (suppressed)") in proc.stderr
    assert proc.stderr.count("\n  - ") == 1  # 120 is shown, and the lab's figures are protected already

    # fixed: the count goes through lce_utils.privacy; submitted, with a token for the author
    write_case(case, lab_run=lab, story=STORY, table=PROTECTED)
    proc = lce("submit", case, "--db", db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    token = re.search(r"lce knowledge status (\S+)", proc.stdout).group(1)
    review = lce("review", "--db", db).stdout
    assert re.search(r"^\s+1 .*väntar på granskning / waiting for review  Utställningar för skolklasser / "
                     r"Exhibitions for school classes  \(Robin Exempel; Konsthall Exempel \(fiktiv\); ", review, re.M)
    assert "waiting for review" in lce("status", token, "--db", db).stdout

    config, out = site_config(tmp_path, db), tmp_path / "site"
    build_site(config, root=tmp_path, out=out)
    assert not (out / "case-1.html").exists()  # not before staff publish it
    assert "Inga fall är publicerade ännu" in (out / "fall.html").read_text(encoding="utf-8")

    assert lce("publish", "1", "--db", db).returncode == 0
    build_site(config, root=tmp_path, out=out)
    page = (out / "case-1.html").read_text(encoding="utf-8")
    assert "<h1>Utställningar för skolklasser <span class=\"en\" lang=\"en\">Exhibitions for school classes</span>" \
        in page
    assert "Robin Exempel" in page and "Konsthall Exempel (fiktiv)" in page
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in page
    assert "Medfinansieras av Europeiska unionen" in page and "<title>DEMO: " in page
    assert "robin@example.org" not in page.replace("frågor till robin@example.org", "")  # only in the story
    assert "lab_run = " not in page and "consent_to_publish" not in page and "<script" not in page  # no front matter
    assert "prickad" in page and ">120<" in page  # the protected table
    assert "Besök per kön" in page and "Kvinnor / Women" in page  # the lab run's published figures, by reference
    disclosure = json.loads((out / "case-1.disclosure.json").read_text())
    cells = {c for t in disclosure["tables"] for c in t["cells"]}
    assert f"lab/{lab.name}/visits" in cells and f"lab/{lab.name}/visits_by_gender/woman" in cells
    listing = (out / "fall.html").read_text(encoding="utf-8")
    assert 'href="case-1.html"' in listing and "Robin Exempel" in listing
    assert '<a href="case-1.html">Utställningar för skolklasser' in (out / "index.html").read_text(encoding="utf-8")
    audit = subprocess.run([sys.executable, "-m", "lce_utils.cli", "privacy", "audit", out], capture_output=True,
                           text=True, timeout=300, cwd=ROOT)
    assert audit.returncode == 0 and ", 0 findings" in audit.stdout, audit.stdout + audit.stderr

    # the author withdraws it: gone from the next build, with its disclosure file
    assert lce("withdraw", token, "--db", db).returncode == 0
    assert "tillbakadraget / withdrawn" in lce("status", token, "--db", db).stdout
    build_site(config, root=tmp_path, out=out)
    assert not (out / "case-1.html").exists() and not (out / "case-1.disclosure.json").exists()
    assert "case-1.html" not in (out / "fall.html").read_text(encoding="utf-8")
    assert "case-1.html" not in (out / "index.html").read_text(encoding="utf-8")
    assert lce("publish", "1", "--db", db).returncode == 2  # a withdrawn case cannot be published again


def test_a_rejection_reason_reaches_the_author(tmp_path):
    db = f"sqlite:///{tmp_path / 'knowledge.db'}"
    proc = lce("submit", EXAMPLE, "--db", db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    token = re.search(r"lce knowledge status (\S+)", proc.stdout).group(1)
    assert lce("reject", "1", "--db", db).returncode == 2  # --reason is required
    reason = "Berätta mer om vad ni lärde er. / Tell us more about what you learned."
    assert lce("reject", "1", "--reason", reason, "--db", db).returncode == 0
    status = lce("status", token, "--db", db)
    assert status.returncode == 0 and "avvisat / rejected" in status.stdout
    assert f"Skäl / Reason: {reason}" in status.stdout
    assert "Inga fall väntar" in lce("review", "--db", db).stdout
    wrong = lce("status", "not-a-token", "--db", db)
    assert wrong.returncode == 1 and "no case has this token" in wrong.stderr and "inget fall" in wrong.stderr


def test_front_matter_and_personal_data_problems_say_where_and_what():
    nb = nbformat.read(TEMPLATE, as_version=4)
    index, front, problems = case_checks.front_matter(nb)
    assert index == 1 and front["licence"] == "CC BY 4.0" and front["consent_to_publish"] is False
    assert [str(p) for p in problems] == [
        "cell 2 (front matter), field consent_to_publish: sätt consent_to_publish = True när alla författare "
        "samtycker till publicering / set consent_to_publish = True once every author consents to publication"]
    bad = case_checks.check_front({"title_sv": "T", "title_en": " ", "authors": [{"name": "A"}], "organisation": "O",
                                   "art_form": "dans", "licence": "all rights reserved", "consent_to_publish": True},
                                  "cell 2 (front matter)")
    assert [p.where for p in bad] == ["cell 2 (front matter), field title_en", "cell 2 (front matter), field authors",
                                      "cell 2 (front matter), field licence"]
    assert bad[2].en == "expected a licence, one of CC BY 4.0, CC BY-SA 4.0, CC0 1.0"

    import datetime as dt

    from lce_utils.programme.personnummer import make
    pnr = make(dt.date(1985, 3, 14), 123)
    text = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"Deltagaren har personnummer {pnr}."),
        nbformat.v4.new_markdown_cell("Ring mig på 070-123 45 67."),
        nbformat.v4.new_markdown_cell("Vi hade 2024-05-01 kl. 18 ett möte, 1 200 besök, org.nr 5566778899.")])
    found = case_checks.personal_data(text, -1, set())
    assert [(p.where, p.en) for p in found] == [
        ("cell 1 (markdown)", "a personal identity number (personnummer); remove it"),
        ("cell 2 (markdown)", "a phone number; remove it")]


def test_a_token_drawn_with_a_leading_dash_still_works_on_the_printed_command_line(tmp_path, monkeypatch, capsys):
    """One token in 64 drawn by `token_urlsafe` starts with "-", which the command line took for an option (CI saw
    it once): the author could not see the status of their case."""
    from lce_utils import cli
    from lce_utils.knowledge import cases

    drawn = iter(["-jibA5HIIUBqWxYz12345678", "jibA5HIIUBqWxYz12345678a"])
    monkeypatch.setattr(cases.secrets, "token_urlsafe", lambda n: next(drawn))
    db = f"sqlite:///{tmp_path / 'knowledge.db'}"
    front = {"title_sv": "T", "title_en": "T", "authors": [{"name": "Robin Exempel", "email": "robin@example.org"}],
             "organisation": "O", "art_form": "teater", "licence": "CC-BY-4.0"}
    _, token = cases.queue(front, "{}", [], "0" * 64, url=db)
    assert cli.main(["knowledge", "status", token, "--db", db]) == 0
    assert "väntar" in capsys.readouterr().out
