"""The certificate of participation (intyg om deltagande): one printable, self-contained HTML page per
participation, in Swedish and English, with the period, the activities and their hours. No personnummer and
nothing loaded from the network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, select_autoescape
from sqlalchemy import select

from lce_utils.errors import DataError
from lce_utils.messages import both, pair, t
from lce_utils.programme.models import Attendance, Participation
from lce_utils.programme.store import reading

PAGE = """<!doctype html>
{% macro b(key) %}{{ t(key) }} <span class="en">/ {{ t(key, "en") }}</span>{% endmacro -%}
<html lang="sv"><head><meta charset="utf-8"><title>{{ both("cert_title") }}</title>
<style>
body { font-family: Georgia, serif; max-width: 40em; margin: 3em auto; color: #111; }
h1 { font-size: 1.5em; } table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border-bottom: 1px solid #999; padding: .3em; text-align: left; } td.n { text-align: right; }
.en { color: #444; font-style: italic; } @media print { body { margin: 0; } }
</style></head><body>
<h1>{{ b("cert_title") }}</h1>
<p><strong>{{ name }}</strong> {{ t("cert_took_part") }} <em>Learn, Create, Engage</em>
{{ period_sv }}.<br><span class="en">{{ t("cert_took_part", "en") }} <em>Learn, Create,
Engage</em> {{ period_en }}.</span></p>
{% if rows %}<table><thead><tr><th>{{ b("cert_activity") }}</th>
<th>{{ b("r.col_month") }}</th><th>{{ b("pa_col_hours") }}</th></tr></thead><tbody>
{% for activity, month, hours in rows %}<tr><td>{{ activity }}</td><td>{{ month }}</td>
<td class="n">{{ "%.1f"|format(hours) }}</td></tr>{% endfor %}
<tr><th colspan="2">{{ b("cert_total") }}</th><td class="n">{{ "%.1f"|format(total) }}</td></tr>
</tbody></table>{% endif %}
<p>{{ t("cert_esf") }}
<span class="en">{{ t("cert_esf", "en") }}</span></p>
<p>{{ b("cert_issued") }} {{ issued }}</p>
<p style="margin-top:4em">............................................................<br>
{{ b("cert_signature") }}</p>
</body></html>
"""


def certificate_html(participation_id: int, url: str | None = None, today: dt.date | None = None) -> str:
    """The certificate page of one participation."""
    today = today or dt.date.today()
    with reading(url) as session:
        part = session.get(Participation, participation_id)
        if part is None:
            raise DataError(both("p_no_participation", id=participation_id))
        name = part.person.name
        rows = session.execute(select(Attendance.activity, Attendance.month, Attendance.hours)
                               .where(Attendance.participation_id == part.id)
                               .order_by(Attendance.month, Attendance.activity)).all()
    period_sv, period_en = (pair("cert_period", entry=part.entry_date, exit=part.exit_date) if part.exit_date
                            else pair("cert_since", entry=part.entry_date))
    env = Environment(autoescape=select_autoescape(default=True))
    env.globals.update(t=t, both=both)  # the page's texts come from the catalogue
    template = env.from_string(PAGE)
    return template.render(name=name, period_sv=period_sv, period_en=period_en, rows=[tuple(r) for r in rows],
                           total=sum(r[2] for r in rows), issued=today.isoformat())


def write_certificate(participation_id: int, out: Path, url: str | None = None) -> Path:
    """Write the certificate page to out (a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(certificate_html(participation_id, url), encoding="utf-8")
    return out
