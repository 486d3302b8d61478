"""The certificate of participation (intyg om deltagande): one printable, self-contained HTML page per
participation, in Swedish and English, with the period, the activities and their hours. No personnummer and
nothing loaded from the network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, select_autoescape
from sqlalchemy import select

from lce_utils.errors import DataError
from lce_utils.programme.models import Attendance, Participation
from lce_utils.programme.store import reading

PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Intyg om deltagande / Certificate of participation</title>
<style>
body { font-family: Georgia, serif; max-width: 40em; margin: 3em auto; color: #111; }
h1 { font-size: 1.5em; } table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border-bottom: 1px solid #999; padding: .3em; text-align: left; } td.n { text-align: right; }
.en { color: #444; font-style: italic; } @media print { body { margin: 0; } }
</style></head><body>
<h1>Intyg om deltagande <span class="en">/ Certificate of participation</span></h1>
<p><strong>{{ name }}</strong> har deltagit i kompetensutvecklingsprojektet <em>Learn, Create, Engage</em>
{{ period_sv }}.<br><span class="en">took part in the competence development programme <em>Learn, Create,
Engage</em> {{ period_en }}.</span></p>
{% if rows %}<table><thead><tr><th>Aktivitet <span class="en">/ Activity</span></th>
<th>Månad <span class="en">/ Month</span></th><th>Timmar <span class="en">/ Hours</span></th></tr></thead><tbody>
{% for activity, month, hours in rows %}<tr><td>{{ activity }}</td><td>{{ month }}</td>
<td class="n">{{ "%.1f"|format(hours) }}</td></tr>{% endfor %}
<tr><th colspan="2">Summa <span class="en">/ Total</span></th><td class="n">{{ "%.1f"|format(total) }}</td></tr>
</tbody></table>{% endif %}
<p>Projektet medfinansieras av Europeiska socialfonden+ (ESF+).
<span class="en">The programme is co-financed by the European Social Fund Plus (ESF+).</span></p>
<p>Utfärdat <span class="en">/ Issued</span> {{ issued }}</p>
<p style="margin-top:4em">............................................................<br>
Underskrift, projektledning <span class="en">/ Signature, programme management</span></p>
</body></html>
"""


def certificate_html(participation_id: int, url: str | None = None, today: dt.date | None = None) -> str:
    """The certificate page of one participation."""
    today = today or dt.date.today()
    with reading(url) as session:
        part = session.get(Participation, participation_id)
        if part is None:
            raise DataError(f"no participation with id {participation_id} / inget deltagande med id "
                            f"{participation_id}")
        name = part.person.name
        rows = session.execute(select(Attendance.activity, Attendance.month, Attendance.hours)
                               .where(Attendance.participation_id == part.id)
                               .order_by(Attendance.month, Attendance.activity)).all()
    if part.exit_date:
        period_sv, period_en = (f"från {part.entry_date} till {part.exit_date}",
                                f"from {part.entry_date} to {part.exit_date}")
    else:
        period_sv, period_en = f"sedan {part.entry_date}", f"since {part.entry_date}"
    template = Environment(autoescape=select_autoescape(default=True)).from_string(PAGE)
    return template.render(name=name, period_sv=period_sv, period_en=period_en, rows=[tuple(r) for r in rows],
                           total=sum(r[2] for r in rows), issued=today.isoformat())


def write_certificate(participation_id: int, out: Path, url: str | None = None) -> Path:
    """Write the certificate page to out (a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(certificate_html(participation_id, url), encoding="utf-8")
    return out
