"""The export kit (trajectory/exports.py): what every workbook, CSV and download name
follows. Workbooks are read back with openpyxl, CSV with the csv module."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import sqlalchemy as sa

from trajectory import exports as kit
from trajectory.candidates.models import Benefit, Candidate, CandidateStatus
from trajectory.exports import Column, Kind, Layout, Sheet, Typed

COLUMNS = [Column("Naam"), Column("Geboren", Kind.DATE), Column("Bedrag", Kind.MONEY),
           Column("Aandeel", Kind.PERCENT), Column("Aantal", Kind.INTEGER),
           Column("Uren", Kind.NUMBER), Column("Telefoon", Kind.PHONE), Column("Uitkering"),
           Column("Status"), Column("Gewijzigd", Kind.DATETIME)]
ROW = ["Zoë de Vries", date(1988, 4, 12), Decimal("1234.50"), Decimal("0.25"), 3,
       Decimal("24.5"), "+31 6 12345678", Benefit.WW, CandidateStatus.ACTIEF,
       datetime(2026, 3, 31, 12, 5, tzinfo=UTC)]


def _book(app, sheets) -> openpyxl.Workbook:
    with app.test_request_context():
        return openpyxl.load_workbook(io.BytesIO(kit.workbook(sheets)))


def test_cells_are_typed_with_dutch_formats(app):
    sheet = _book(app, [Sheet("Kandidaten", COLUMNS, [ROW, ["=HYPERLINK(\"x\")", None, None,
                                                           None, None, None, "", "", "",
                                                           None]])]).active
    name, born, amount, share, count, hours, phone, benefit, status, changed = sheet[2]
    assert name.data_type == "s" and name.value == "Zoë de Vries"
    assert born.is_date and born.value == datetime(1988, 4, 12)
    assert born.number_format == "dd-mm-yyyy"
    assert amount.data_type == "n" and amount.value == 1234.5
    assert amount.number_format == '"€" #,##0.00;-"€" #,##0.00'
    assert share.data_type == "n" and share.value == 0.25 and share.number_format == "0%"
    assert count.value == 3 and count.number_format == "0"
    assert hours.value == 24.5 and hours.number_format == "#,##0.0#"
    assert phone.data_type == "s" and phone.value == "+31 6 12345678"
    with app.test_request_context():
        assert benefit.value == Benefit.WW.label and status.value == CandidateStatus.ACTIEF.label
    assert status.value != "actief"  # the label, never the stored code
    # Stored in UTC, shown as in Amsterdam (summer time: +2).
    assert changed.is_date and changed.value == datetime(2026, 3, 31, 14, 5)
    assert changed.number_format == "dd-mm-yyyy hh:mm"
    evil = sheet["A3"]
    assert evil.data_type == "s" and evil.value.startswith("=HYPERLINK")  # text, no formula
    assert all(cell.value is None for cell in sheet[3][1:6])  # empty stays empty


def test_a_table_has_a_frozen_bold_header_autofilter_and_widths(app):
    book = _book(app, [Sheet("Cijfers", [Column("Cijfer", width=50), Column("Waarde")],
                             [["Kandidaten", Typed(6, Kind.INTEGER)],
                              ["Toegekend", Typed(Decimal("1600.96"), Kind.MONEY)]],
                             above=["Maartgolf 2026 · K2 2026", "Cijfers op 30-06-2026", ""],
                             below=["Alleen de trajectstappen van dit cohort."])])
    sheet = book.active
    assert sheet["A1"].font.b and sheet["A4"].value == "Cijfer" and sheet["A4"].font.b
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:B6"
    assert sheet["B5"].value == 6 and "€" in sheet["B6"].number_format
    assert sheet["A8"].value == "Alleen de trajectstappen van dit cohort."
    assert 50 <= sheet.column_dimensions["A"].width < 51  # XlsxWriter adds its padding
    assert 8 <= sheet.column_dimensions["B"].width <= 60


def test_sheet_names_are_valid_and_unique(app):
    book = _book(app, [Sheet("Evaluatie: K2/2026 [concept]?", [Column("a")], []),
                       Sheet("Evaluatie: K2/2026 [concept]?", [Column("a")], []),
                       Layout("Een heel erg lange naam van meer dan eenendertig tekens",
                              [["x"]])])
    names = book.sheetnames
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")


def _csv(app, columns, rows) -> list[list[str]]:
    with app.test_request_context():
        data = kit.csv_bytes(columns, rows)
    assert data.startswith("\ufeff".encode())  # the BOM Dutch Excel needs for UTF-8
    assert b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_for_dutch_excel(app):
    header, row = _csv(app, COLUMNS, [ROW])
    assert header[:3] == ["Naam", "Geboren", "Bedrag"]
    assert row[:7] == ["Zoë de Vries", "12-04-1988", "1234,50", "25%", "3", "24,5",
                       "+31 6 12345678"]
    with app.test_request_context():
        assert row[7] == Benefit.WW.label and row[8] == CandidateStatus.ACTIEF.label
    assert row[9] == "31-03-2026 14:05"


def test_csv_neutralises_formulas_but_not_phone_numbers_or_numbers(app):
    values = ["=1+1", "+HYPERLINK(\"x\")", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx",
              "+31 6 12345678", "-12,50", "06-12345678", "+31 (0)113 123 456", "Gewoon"]
    rows = _csv(app, [Column("v")], [[v] for v in values])[1:]
    assert [r[0] for r in rows] == [
        "'=1+1", "'+HYPERLINK(\"x\")", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1)", "'\tx",
        "+31 6 12345678", "-12,50", "06-12345678", "+31 (0)113 123 456", "Gewoon"]


def test_download_names_are_ascii_with_the_utf8_name_beside(app):
    name = kit.filename("cijfers", "Coöperatie Ærø – 2026", "K2 2026", extension="xlsx",
                        pseudonymised=True)
    assert name == "cijfers-Coöperatie-Ærø-2026-K2-2026-zonder-namen.xlsx"
    header = kit.attachment(name)
    assert header.isascii()
    assert 'filename="cijfers-Cooperatie-AEro-2026-K2-2026-zonder-namen.xlsx"' in header
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == name
    assert kit.attachment("kandidaten-2026-12-03.csv") == \
        'attachment; filename="kandidaten-2026-12-03.csv"'  # plain ASCII: nothing extra
    assert kit.filename("x", 'a/b\\c:"d"', extension="pdf") == "x-abcd.pdf"
    assert kit.slug("Coöperatie Ærø – 2026") == "cooperatie-aero-2026"
    with app.test_request_context():
        response = kit.download(b"%PDF-", name, kit.PDF)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == header


# ------------------------------------------------------------------ streamed, in chunks

def add_candidates(world, n: int, *, municipality: str = "Goes",
                   klantmanager: str = "klantmanager", buddy: str = "buddy") -> list[int]:
    """``n`` plain candidates of the klantmanager, each with the buddy, a running stage at
    the first provider and three contacts: Core inserts, seconds for thousands."""
    from tests.stages.conftest import P1
    from trajectory.candidates.models import BuddyAssignment, Candidate
    from trajectory.contacts.models import ContactKind, ContactLog
    from trajectory.extensions import db
    from trajectory.stages.models import Stage, StageKind, StageStatus
    from trajectory.timeutil import today, utcnow

    day, now = today(), utcnow()
    buddy_id, provider_id = world.user(buddy).id, world.org(P1).id
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Candidate.id), 0)))
    db.session.execute(sa.insert(Candidate), [dict(
        municipality_id=world.org(municipality).id, klantmanager_id=world.user(klantmanager).id,
        first_name=f"Voornaam{i}", tussenvoegsel="van" if i % 3 == 0 else None,
        last_name=f"Achternaam{first + i:06d}", search_name=f"voornaam{i} achternaam{i:06d}",
        date_of_birth=date(1960 + i % 40, 1 + i % 12, 1 + i % 28), phone=f"06 {10000000 + i}",
        email=f"p{first + i}@voorbeeld.nl", benefit=Benefit.PARTICIPATIEWET,
        benefit_since=date(2024, 1, 1), status=CandidateStatus.ACTIEF, registered_at=now,
        consent_given_on=day - timedelta(days=30), consent_providers=True, consent_buddy=True,
        consent_expires_on=day + timedelta(days=300)) for i in range(n)])
    ids = list(db.session.scalars(sa.select(Candidate.id).where(Candidate.id > first)))
    db.session.execute(sa.insert(BuddyAssignment), [dict(
        candidate_id=c, buddy_id=buddy_id, start_date=day - timedelta(days=100)) for c in ids])
    db.session.execute(sa.insert(Stage), [dict(
        candidate_id=c, provider_id=provider_id, kind=StageKind.WERKERVARINGSPLAATS,
        status=StageStatus.LOPEND, planned_start=day - timedelta(days=30),
        planned_end=day + timedelta(days=150), actual_start=day - timedelta(days=30))
        for c in ids])
    db.session.execute(sa.insert(ContactLog), [dict(
        candidate_id=c, buddy_id=buddy_id, contact_on=day - timedelta(days=k),
        kind=ContactKind.GESPREK, note="") for c in ids for k in range(3)])
    db.session.commit()
    return ids


def _queries(count_queries, client, url: str) -> int:
    """The queries of one download, read to the end (a streamed CSV queries as it is read)."""
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.data
    return counter.count


def _csv_rows(client, url: str) -> list[list[str]]:
    data = client.get(url).data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data), delimiter=";"))


def test_a_streamed_csv_is_the_same_file_in_chunks(app, world, client_for, monkeypatch):
    """Chunks of 7: the header once, every row once, in the list's order, with the same
    bytes as the file written at once; one processing-log line per person."""
    from trajectory.audit.models import ProcessingLogEntry
    from trajectory.extensions import db

    add_candidates(world, 20)
    klantmanager = client_for("klantmanager")
    whole = _csv_rows(klantmanager, "/kandidaten/export.csv")
    monkeypatch.setattr(kit, "CHUNK", 7)
    response = klantmanager.get("/kandidaten/export.csv?sort=name")
    assert response.is_streamed and response.headers["Content-Disposition"].startswith(
        "attachment; filename=\"kandidaten-")
    parts = list(response.response)
    assert len(parts) == 1 + 3  # the header, then 7 + 7 + 6 rows
    chunked = list(csv.reader(io.StringIO(b"".join(parts).decode("utf-8-sig")), delimiter=";"))
    assert chunked == whole and len(chunked) == 21
    assert [row[0] for row in chunked[1:]] == sorted(row[0] for row in chunked[1:])
    lines = db.session.scalars(sa.select(ProcessingLogEntry.subject_id).where(
        ProcessingLogEntry.action == "export")).all()
    assert len(lines) == 2 * 20 and len(set(lines)) == 20  # two exports, one line each


def test_an_aborted_csv_download_has_lines_for_every_row_of_its_file(
        app, world, client_for, monkeypatch):
    """The lines of the whole file are committed before its first row leaves (one INSERT
    ... SELECT): a download broken off after one chunk has them all, and nobody else's."""
    from trajectory.audit.models import ProcessingLogEntry
    from trajectory.extensions import db

    ids = add_candidates(world, 25)  # named in the order of their ids: the list's order
    monkeypatch.setattr(kit, "CHUNK", 10)
    response = client_for("klantmanager").get("/kandidaten/export.csv")
    body = iter(response.response)
    header, first = next(body), next(body)
    assert first.count(b"\r\n") == 10
    with db.engine.connect() as other:  # committed, seen from outside the request
        logged = other.execute(sa.select(ProcessingLogEntry.subject_id).where(
            ProcessingLogEntry.action == "export")).scalars().all()
    response.close()  # the browser went away: the server closes the response
    everyone = set(db.session.scalars(sa.select(sa.cast(Candidate.id, sa.String)).where(
        Candidate.municipality_id == world.org("Goes").id)))
    assert set(logged) == everyone and len(logged) == len(everyone)
    assert set(ids) <= {int(subject) for subject in logged}
    assert header.startswith("\ufeff".encode())


def test_someone_who_enters_the_filter_after_the_lines_is_not_exported(
        app, world, client_for, monkeypatch):
    """Between the INSERT of the lines and the SELECT of the rows another user registers a
    candidate: the file leaves them out rather than sending a row without a line."""
    from trajectory.audit.models import ProcessingLogEntry
    from trajectory.candidates import exports
    from trajectory.extensions import db

    add_candidates(world, 5)
    write_lines = exports.write_lines
    late: list[int] = []

    def and_then_someone_registers(*args, **kwargs):
        count = write_lines(*args, **kwargs)
        late.extend(add_candidates(world, 1))
        return count

    monkeypatch.setattr(exports, "write_lines", and_then_someone_registers)
    rows = _csv_rows(client_for("klantmanager"), "/kandidaten/export.csv")
    db.session.expire_all()
    logged = set(db.session.scalars(sa.select(ProcessingLogEntry.subject_id).where(
        ProcessingLogEntry.action == "export")))
    late_name = db.session.get(Candidate, late[0]).last_name
    assert late and str(late[0]) not in logged
    assert not any(late_name in cell for row in rows for cell in row)
    assert len(rows) - 1 == len(logged)  # every row has its line, every line its row


def test_the_excel_export_is_sent_from_a_temporary_file(app, world, client_for, monkeypatch):
    import glob
    import tempfile

    add_candidates(world, 15)
    monkeypatch.setattr(kit, "CHUNK", 4)
    before = set(glob.glob(f"{tempfile.gettempdir()}/trajectory-export-*"))
    response = client_for("klantmanager").get("/kandidaten/export.xlsx")
    assert int(response.headers["Content-Length"]) > 0
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 1 + 15 and sheet.freeze_panes == "A2"
    assert set(glob.glob(f"{tempfile.gettempdir()}/trajectory-export-*")) == before


def test_an_export_costs_the_same_statements_whatever_its_chunks(
        app, world, client_for, count_queries, monkeypatch):
    """Chunks of 100: one, two and four chunks of rows cost the same statements: one INSERT
    of every line and one streamed SELECT of every cell (besides the request's own)."""
    monkeypatch.setattr(kit, "CHUNK", 100)
    klantmanager = client_for("klantmanager")
    counts, inserts, selects = [], [], []
    for n in (50, 100, 200):
        add_candidates(world, n)
        with count_queries() as counter:
            response = klantmanager.get("/kandidaten/export.csv")
            assert response.status_code == 200 and response.data
        counts.append(counter.count)
        inserts.append([s for s in counter.statements if s.startswith("INSERT")])
        selects.append([s for s in counter.statements if "FROM candidate" in s])
    assert counts[0] == counts[1] == counts[2], counts
    assert all(len(found) == 1 and "processing_log" in found[0] and "SELECT" in found[0]
               for found in inserts), inserts
    assert [len(found) for found in selects] == [2, 2, 2], selects  # the lines, the rows


# ------------------------------------------------------------------ flat at two sizes

def _demo_on_world() -> None:
    """The demo's feature steps (cohorts, evaluations, contracts ...) on top of the world's
    organisations and accounts, as ``load_demo`` runs them."""
    from trajectory.demo import data as demo
    from trajectory.extensions import db
    from trajectory.stages import stored_values

    for _name, step in demo.DEMO_STEPS:
        step()
        db.session.flush()
    stored_values.refresh_all()
    db.session.commit()


def test_every_export_costs_the_same_queries_at_two_sizes(app, world, client_for,
                                                          count_queries):
    """The demo plus a generated region of 30, then of 300 candidates (one chunk each):
    the candidate CSV and Excel (with the stage, cohort and last-contact columns) as the
    klantmanager, the coordinator and the buddy, the cohort's figures workbook and a
    contract's ledger workbook, each the same number of queries at both sizes."""
    from trajectory.cohorts.models import Cohort, Evaluation
    from trajectory.demo.generator import generate
    from trajectory.extensions import db
    from trajectory.valuation.models import Contract

    _demo_on_world()
    evaluation = db.session.scalars(sa.select(Evaluation).join(Cohort).order_by(
        Evaluation.id)).first()
    contract = db.session.scalars(sa.select(Contract).where(
        Contract.scope_filter(world.user("adviseur"))).order_by(Contract.id)).first()
    downloads = [
        ("klantmanager", "/kandidaten/export.csv"),
        ("klantmanager", "/kandidaten/export.xlsx"),
        ("coordinator", "/kandidaten/export.csv"),
        ("buddy", "/kandidaten/export.xlsx"),
        ("coordinator", f"/cohorten/{evaluation.cohort_id}/evaluaties/{evaluation.id}"
                        "/cijfers.xlsx"),
        ("adviseur", f"/sroi/contracten/{contract.id}/verantwoording.xlsx"),
    ]
    clients = {name: client_for(name) for name, _url in downloads}
    counts: dict[tuple[str, str], list[int]] = {d: [] for d in downloads}
    rows = []
    for n, seed in ((30, 1), (270, 2)):
        generate(n, seed)
        db.session.commit()
        for name, url in downloads:
            counts[(name, url)].append(_queries(count_queries, clients[name], url))
        rows.append(len(_csv_rows(clients["klantmanager"], "/kandidaten/export.csv")))
    assert rows[1] > rows[0]  # the klantmanager's export really grew
    differing = {d: c for d, c in counts.items() if c[0] != c[1]}
    assert differing == {}, differing


def test_the_csv_says_its_charset_once(app, world, client_for):
    """A streamed CSV is ``text/csv; charset=utf-8``: passing the full type as the mimetype
    made Werkzeug add a second charset, which strict clients refuse."""
    response = client_for("klantmanager").get("/kandidaten/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Type"] == kit.CSV
