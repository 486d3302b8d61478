"""Anonymous feedback (issue 17 item 4): the form in a real `lce mentorship serve` driven by Chromium stores an
answer with no identifier, address or time but the month; a forged or unknown context is refused; the staff report
hides a lesson with fewer answers than k and shows one with enough, with exact figures."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import urllib.request

import pytest
from sqlalchemy import inspect

from lce_utils.knowledge import feedback
from lce_utils.mentorship.store import get_engine
from lce_utils.mentorship.validation import ValidationError
from lce_utils.paths import ROOT
from lce_utils.reports.build import build_site
from tests.mentorship.test_mentorship_support import mentorship_server

TOKEN = "feedback-test-token-" + "f" * 12
LESSON = "creative-entrepreneurship/pricing-vat-and-budgets"  # an existing lesson (its file name is kept)
OTHER = "adaptive-mindset/iterating-under-uncertainty"
FORM = "/voila/render/feedback/index.ipynb"
TIMEOUT = 120_000
COLUMNS = {"key", "context", "month", "useful", "hard", "what_hard", "what_useful"}


def answer(context: str = LESSON, **changes) -> dict:
    return {"context": context, "useful": 4, "hard": 2, "what_hard": "Momsen", "what_useful": "Budgetmallen",
            **changes}


def test_known_contexts_are_the_lessons_labs_and_mentorship():
    known = feedback.known_contexts()
    assert LESSON in known and OTHER in known and "mentorship" in known and "lab/01-audience-overview" in known
    lessons = {f"{p.parent.name}/{p.stem}" for p in (ROOT / "courses" / "source").glob("*/*.ipynb")}
    assert lessons <= set(known)
    assert feedback.context_from_query(f"context={LESSON}&lang=en") == LESSON
    for forged in ("context=../coordinator/index", "context=", "", "context=creative-entrepreneurship",
                   f"context={LESSON}&context=mentorship", "context=mentorship%00", f"context={LESSON}/x",
                   "context=courses/source/" + LESSON):
        assert feedback.context_from_query(forged) is None, forged
    assert feedback.feedback_link(LESSON) == f"/voila/render/feedback/index.ipynb?context={LESSON}"


def test_lesson_footer_links_to_the_form_for_its_lesson(monkeypatch):
    """The footer's cell shows the link for the lesson it is in, in its language; nothing while nbgrader grades,
    nor where the server's address is not configured (Binder)."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    lesson = ROOT / "courses" / "release" / "creative-entrepreneurship" / "pricing-vat-and-budgets.en.ipynb"
    monkeypatch.delenv(feedback.FEEDBACK_URL_ENV, raising=False)
    assert feedback.lesson_feedback_link(lesson) is None
    monkeypatch.setenv(feedback.FEEDBACK_URL_ENV, "https://lce.example.org/")
    link = feedback.lesson_feedback_link(lesson).data
    assert link == ('<p lang="en"><a href="https://lce.example.org/voila/render/feedback/index.ipynb?context='
                    f'{LESSON}&amp;lang=en" target="_blank" rel="noopener">What did you think of the lesson? Answer '
                    'three short questions anonymously (opens in a new tab).</a></p>')
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert feedback.lesson_feedback_link(lesson) is None


def test_answers_are_checked_like_every_form(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    bad = [({"context": "../../etc/passwd"}, "context"), ({"context": None}, "context"), ({"useful": 6}, "useful"),
           ({"useful": True}, "useful"), ({"hard": "3"}, "hard"), ({"what_hard": "x" * 501}, "what_hard"),
           ({"what_useful": ["a"]}, "what_useful"), ({"what_hard": "a\x00b"}, "what_hard"), ({"email": "x"}, "email")]
    for change, field in bad:
        with pytest.raises(ValidationError) as info:
            feedback.store_answer(answer(**change), url)
        assert field in info.value.errors, change
    assert feedback.answers(url) == []
    assert feedback.store_answer(answer(what_hard="x" * 500), url, today=dt.date(2026, 11, 30)) == "2026-11"
    [row] = feedback.answers(url)
    assert row == {"context": LESSON, "month": "2026-11", "useful": 4, "hard": 2, "what_hard": "x" * 500,
                   "what_useful": "Budgetmallen"}


@pytest.mark.slow
def test_report_hides_small_lessons_and_shows_large_ones_exactly(tmp_path):
    rows = ([answer(LESSON, useful=4, hard=2, what_hard="Momsen")] * 4 + [answer(LESSON, useful=5, hard=3,
                                                                                 what_hard="", what_useful="")] * 2
            + [answer(OTHER, useful=1, hard=5, what_hard="Mycket hemligt")] * 4)
    summary = feedback.lesson_summary(rows, k=5, key="test")
    assert summary["cells"] == {f"feedback/{OTHER}/answers": None, f"feedback/{LESSON}/answers": 6}
    other, lesson = summary["contexts"]
    assert other == {"context": OTHER, "title": feedback.known_contexts()[OTHER], "answers": None, "useful": None,
                     "hard": None, "what_hard": [], "what_useful": []}
    assert (lesson["answers"], lesson["useful"], lesson["hard"]) == (6, 4.3, 2.3)  # 26/6 and 14/6
    assert lesson["what_hard"] == ["Momsen"] * 4 and lesson["what_useful"] == ["Budgetmallen"] * 4

    # the same through the report site: the page shows the large lesson and its words, never the small one's
    url = f"sqlite:///{tmp_path / 'var' / 'm.db'}"
    for i, row in enumerate(rows):
        feedback.store_answer(row, url, today=dt.date(2026, 11, 1 + i))
    (tmp_path / "templates").mkdir()
    shutil.copy(ROOT / "knowledge" / "templates" / "lesson-feedback.ipynb", tmp_path / "templates")
    config = tmp_path / "reports.yaml"
    config.write_text(f"""data: demo
contact: office@example.org
reports:
  - id: lesson-feedback
    title: {{sv: Synpunkter, en: Feedback}}
    template: lesson-feedback.ipynb
    parameters: {{mentorship_db: "{url}", k: 5}}
    inputs: [{{database: "{url}"}}]
""", encoding="utf-8")
    result = build_site(config, root=tmp_path, out=tmp_path / "site")
    assert result.ids("ok") == ["lesson-feedback"], result.reports
    page = (tmp_path / "site" / "lesson-feedback.html").read_text(encoding="utf-8")
    title_sv = feedback.known_contexts()[LESSON][0]
    assert title_sv in page and "Momsen" in page and "Budgetmallen" in page
    assert re.search(r'<td class="num">6</td><td class="num">4,3.*?</td><td class="num">2,3', page), page[-3000:]
    assert "Mycket hemligt" not in page and "prickad" in page
    disclosure = json.loads((tmp_path / "site" / "lesson-feedback.disclosure.json").read_text(encoding="utf-8"))
    [table] = disclosure["tables"]
    assert table["cells"] == {f"feedback/{OTHER}/answers": None, f"feedback/{LESSON}/answers": 6}


# -- the form in a real server and browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    with mentorship_server(tmp_path_factory.mktemp("feedback-voila"), TOKEN, "--pool", "1", "--max-kernels",
                           "12") as served:
        yield served


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "/lce/health", timeout=30) as resp:
        return json.load(resp)




@pytest.mark.browser
@pytest.mark.slow
def test_feedback_form_stores_an_anonymous_answer(voila, page):
    base, url = voila
    page.goto(f"{base}{FORM}?context={LESSON}", timeout=TIMEOUT)
    useful = page.get_by_role("radiogroup", name=re.compile("Hur användbart"))
    useful.wait_for(timeout=TIMEOUT)
    assert page.locator("#no-personal-data").is_visible()
    assert feedback.known_contexts()[LESSON][0] in page.inner_text("body")
    useful.get_by_label("4", exact=True).check()
    page.get_by_role("radiogroup", name=re.compile("Hur svårt")).get_by_label("2", exact=True).check()
    page.get_by_label("Vad var svårt? (valfritt)").fill("Momsreglerna")
    page.get_by_label("Vad var mest användbart? (valfritt)").fill("Exemplen från Ystad")
    page.get_by_role("button", name="Skicka svaret").click()
    page.locator("#feedback-result").wait_for(timeout=TIMEOUT)
    assert "Tack!" in page.locator("#feedback-result").inner_text()
    assert page.get_by_role("button", name="Skicka svaret").is_hidden(), "one answer per page"
    assert feedback.answers(url) == [{"context": LESSON, "month": dt.date.today().strftime("%Y-%m"), "useful": 4,
                                      "hard": 2, "what_hard": "Momsreglerna", "what_useful": "Exemplen från Ystad"}]
    # nothing that identifies anyone: no person, address, time or ordered id among the stored columns
    assert {c["name"] for c in inspect(get_engine(url)).get_columns("learner_feedback")} == COLUMNS
    assert page.watch.external_requests == [] and page.watch.page_errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_feedback_form_refuses_a_forged_context(voila, page):
    base, url = voila
    before = len(feedback.answers(url))
    for query in ("context=..%2Fcoordinator%2Findex", "context=" + LESSON + "&context=mentorship", ""):
        page.goto(f"{base}{FORM}?{query}", timeout=TIMEOUT)
        page.locator("#bad-context").wait_for(timeout=TIMEOUT)
        assert "Den här länken till feedbackformuläret är felaktig" in page.inner_text("#bad-context")
        assert page.get_by_role("button", name="Skicka svaret").count() == 0 or \
            page.get_by_role("button", name="Skicka svaret").is_hidden()
    assert len(feedback.answers(url)) == before


@pytest.mark.browser
@pytest.mark.slow
def test_feedback_form_is_public_but_nothing_beside_it(voila):
    """The form is served to visitors like the sign-up (any spelling of its file), the coordinator still not."""
    base, _ = voila
    for path in (FORM + "?context=mentorship", "/voila/render/%66eedback/index.ipynb?context=mentorship",
                 "/voila/render/feedback//index.ipynb?context=mentorship&lang=en"):
        with urllib.request.urlopen(base + path, timeout=120) as resp:
            assert resp.status == 200 and "/login" not in resp.url, path
            resp.read()
    for path in ("/voila/render/feedback/../coordinator/index.ipynb", "/voila/tree/feedback"):
        with urllib.request.urlopen(base + path, timeout=60) as resp:
            assert "/login" in resp.url, path
    assert "coordinator" not in health(base)["apps"], "no coordinator kernel was started for a visitor"
