"""The issue's "Done when": 5,000 rows with 20 bad ones, through the web flow."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa
from flask_babel import force_locale, gettext, ngettext

from tests.candidates.support import register
from tests.imports.support import csv_bytes, people
from tests.imports.test_web import count, token_of, upload
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.imports import services
from trajectory.imports.fields import CANDIDATE_FIELDS
from trajectory.timeutil import today

TIMINGS: dict[str, float] = {}


def dutch(msgid: str, **values) -> str:
    """The Dutch text of a message (the msgid itself until the lead merges the catalogue)."""
    with force_locale("nl"):
        return gettext(msgid, **values)


def test_5000_rows_with_20_bad_ones(klantmanager_client, world, count_queries):
    rows = people(5000)
    existing = register(world, first_name="Persoon7", last_name="Achternaam7",
                        bsn=rows[7][3], client_number=None)
    bad = {}
    for i in range(100, 105):
        rows[i][3] = rows[i][3][:-1] + str((int(rows[i][3][-1]) + 1) % 10)  # elfproef
        bad[i] = "elfproef"
    for i in range(200, 205):
        rows[i][4] = "Bijstandje"
        bad[i] = "Onbekende uitkering"
    for i in range(300, 305):
        rows[i][2] = today().replace(year=today().year + 1).strftime("%d/%m/%Y")
        bad[i] = "toekomst"
    for i in (7, 400, 401, 402):  # duplicates: one of an existing candidate, three in the file
        if i != 7:
            rows[i][3] = rows[i - 1][3]
    bad[7] = "Zelfde BSN"
    for i in (400, 401, 402):
        bad[i] = "ook in rij"
    rows[2000] = ["Iemand", "Zonderdatum", "", "", "WW", "01-01-2024"]
    bad[2000] = "leeg"
    assert len(bad) == 20
    rows.insert(1000, ["", "", "", "", "", ""])  # an empty row: skipped, numbering kept
    with klantmanager_client.application.app_context():
        services.save_mapping(None, world.org("Goes"), {
            spec.name: str(spec.label) for spec in CANDIDATE_FIELDS} | {
            "first_name": "Voornaam", "last_name": "Achternaam",
            "date_of_birth": "Geboortedatum", "bsn": "BSN", "benefit": "Uitkering",
            "benefit_since": "Uitkering sinds"})
        db.session.commit()
    start, cpu = time.perf_counter(), time.process_time()
    response = upload(klantmanager_client, csv_bytes(rows))
    token = token_of(response)
    assert not response.headers["Location"].endswith("/kolommen")  # the saved mapping
    with count_queries() as counter:
        preview = klantmanager_client.get(f"/import/kandidaten/{token}")
    TIMINGS["preview"] = time.perf_counter() - start
    TIMINGS["preview cpu"] = time.process_time() - cpu
    assert counter.count < 25  # bulk checks: not a query per row
    assert preview.status_code == 200
    table = preview.text.split('id="problemen"')[1].split('id="zonder-problemen"')[0]
    numbers = [int(n) for n in re.findall(
        r'utrecht-table__cell--numeric">(\d+)</td>', table)]
    # row number in the file: header 1, data from 2; the empty row at 1002 shifts the rest
    assert sorted(numbers) == sorted((i + 2) if i < 1000 else (i + 3) for i in bad)
    bsn = dutch("This is not a valid BSN: it must be nine digits and pass the eleven test.")
    benefit = dutch('Unknown benefit "%(value)s": use one of %(choices)s.', value="", choices="")
    assert bsn in table and benefit.split('"')[0] in table
    assert "toekomst" in table and "Zelfde BSN" in table
    assert dutch("This BSN is also in row %(row)d.", row=401) in table
    assert f'/kandidaten/{existing.id}"' in table  # the duplicate as the registration shows it
    with force_locale("nl"):
        button = ngettext("Import %(num)d candidate", "Import %(num)d candidates", 4980)
    assert button in preview.text
    start, cpu = time.perf_counter(), time.process_time()
    response = klantmanager_client.post(f"/import/kandidaten/{token}/bevestigen")
    TIMINGS["confirm"] = time.perf_counter() - start
    TIMINGS["confirm cpu"] = time.process_time() - cpu
    assert response.status_code == 302
    assert count() == 4980 + 1  # the rows without a problem and the existing candidate
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Candidate.first_name == "Persoon4999")) == 1
    # A measurement for docs/import.md (-s shows it), not a timed assertion.
    print("\nimport of 5,000 rows: " + ", ".join(f"{k} {v:.2f} s" for k, v in TIMINGS.items()))
