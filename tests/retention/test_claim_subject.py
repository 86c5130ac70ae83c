"""Labour claims and their files name the candidate in the audit trail; other claims no one.

So destroying a file blanks the upload-time file names and claim descriptions with the rest
of the person (test_retention.py), migration 0020 does the same for rows written before,
and the municipality's "Geschiedenis" still shows no claim (the provider's and the SROI
adviser's business).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from tests.conftest import login
from tests.retention.support import run, text_cells
from tests.retention.test_retention import dirk  # noqa: F401 - the fixture
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.stages.models import Stage
from trajectory.valuation.models import Claim, ClaimKind, Evidence

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0020_claim_audit_subject.py"


def _rows(object_type: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == object_type)))


def _expected() -> dict[tuple[str, str], str | None]:
    """Who each claim and file is about: a labour claim's stage's candidate, else no one."""
    person = dict(db.session.execute(sa.select(Claim.id, Stage.candidate_id).outerjoin(
        Stage, Claim.stage_id == Stage.id)).all())
    files = dict(db.session.execute(sa.select(Evidence.id, Evidence.claim_id)).all())
    expected = {}
    for claim_id, candidate_id in person.items():
        expected[("Claim", str(claim_id))] = None if candidate_id is None else str(candidate_id)
    for file_id, claim_id in files.items():
        candidate_id = person.get(claim_id)
        expected[("Evidence", str(file_id))] = None if candidate_id is None else str(candidate_id)
    return expected


def _names(candidate_id: int) -> set[str]:
    return set(db.session.scalars(sa.select(Evidence.original_name).join(
        Claim, Evidence.claim_id == Claim.id).join(Stage, Claim.stage_id == Stage.id)
        .where(Stage.candidate_id == candidate_id)))


def _upgrade_0020() -> None:
    spec = importlib.util.spec_from_file_location("migration_0020", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as connection, Operations.context(
            MigrationContext.configure(connection)):
        module.upgrade()
    db.session.expire_all()


def test_labour_claims_name_their_candidate_and_other_claims_no_one(app, dirk):  # noqa: F811
    expected = _expected()
    kinds = {kind for (kind,) in db.session.execute(sa.select(Claim.kind).distinct())}
    assert {ClaimKind.LABOUR, ClaimKind.PURCHASE, ClaimKind.FUND} <= kinds
    assert None in expected.values() and any(expected.values())
    rows = _rows("Claim") + _rows("Evidence")
    assert rows
    for row in rows:
        key = (row.object_type, row.object_id)
        if key not in expected:
            continue  # deleted since
        want = expected[key]
        assert (row.subject_type, row.subject_id) == (
            ("Candidate", want) if want else (None, None)), (key, row.action)


def test_the_municipality_history_shows_no_claims(app, dirk):  # noqa: F811
    names = _names(dirk.id)
    assert names and db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "Evidence", AuditEvent.subject_id == str(dirk.id)))
    client = app.test_client()
    assert login(client, "klantmanager").status_code == 302
    page = client.get(f"/kandidaten/{dirk.id}/geschiedenis")
    assert page.status_code == 200
    assert not any(name in page.text for name in names)


def test_migration_0020_names_and_blanks_the_rows_of_an_older_database(app, dirk):  # noqa: F811
    names = _names(dirk.id)
    expected = _expected()
    # As written before 0020: no subject on claims and files.
    db.session.execute(sa.update(AuditEvent).where(
        AuditEvent.object_type.in_(("Claim", "Evidence"))).values(
        subject_type=None, subject_id=None))
    db.session.commit()
    # A file destroyed then kept its names in the trail (its claims' files are deleted, so
    # the migration finds them through their own rows).
    assert run(app, "retention", "request", str(dirk.id), "--by", "beheer").exit_code == 0
    request_id = db.session.scalar(sa.text("SELECT id FROM destruction_request"))
    assert run(app, "retention", "approve", str(request_id), "--by", "b.goes").exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id)).where(
        Evidence.original_name.in_(names))) == 0

    def leftovers() -> list:
        return [(t, c) for t, c, text in text_cells(db.engine)
                if any(name in text for name in names)]

    assert leftovers()
    _upgrade_0020()
    assert leftovers() == []
    for row in _rows("Claim") + _rows("Evidence"):
        key = (row.object_type, row.object_id)
        want = expected.get(key, str(dirk.id))  # not there: Dirk's files, deleted since
        assert (row.subject_type, row.subject_id) == (
            ("Candidate", want) if want else (None, None)), key
        if want == str(dirk.id):
            assert all(value == ["***", "***"] for value in row.changes.values()), key
    # Other people's claims keep their values.
    other = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Evidence", AuditEvent.subject_id != str(dirk.id))).first()
    assert other is not None and other.changes["original_name"][1] != "***"
