"""Care-client overlap: a stage recorded as care is never valued, and the reason stays."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.stages.models import CareChoice, StageKind, StageStatus
from trajectory.stages.valuation import value_of

REASON = "Begeleiding via de Wmo-indicatie: dat is zorg."


def test_care_stage_is_excluded_with_its_reason(app, world, klantmanager_client,
                                                 intaker_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.LOPEND,
                       care_client=True)
    with app.test_request_context():
        pending = value_of(stage)
    assert pending.value is None and "zorgcliënt" in pending.reason
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert "Leg vast of deze trajectstap Social Return is of zorg" in page

    response = klantmanager_client.post(f"/trajecten/{stage.id}/zorg", data={
        "care_client": "y", "care_choice": "zorg", "care_reason": REASON,
        "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.care_choice is CareChoice.ZORG and stage.care_reason == REASON
    assert stage.care_decided_by_id == world.user("klantmanager").id
    assert stage.care_decided_at is not None
    with app.test_request_context():
        result = value_of(stage)
    assert result.value == 0 and not result.counts
    assert REASON in result.reason
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert REASON in page
    # The choice is in the audit trail, about the candidate.
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Stage", AuditEvent.object_id == str(stage.id),
        AuditEvent.action == "update").order_by(AuditEvent.id.desc())).first()
    assert event.subject_type == "Candidate" and event.subject_id == str(candidate.id)
    assert event.changes["care_choice"] == [None, "zorg"]


def test_care_choice_needs_a_reason(world, intaker_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.LOPEND)
    response = intaker_client.post(f"/trajecten/{stage.id}/zorg", data={
        "care_client": "y", "care_choice": "zorg", "care_reason": "", "version": stage.version})
    assert response.status_code == 200
    assert "error-summary" in response.text and 'id="care_reason-error"' in response.text
    assert re.search(r'<input checked[^>]*value="zorg"', response.text)
    db.session.refresh(stage)
    assert stage.care_choice is None


def test_social_return_choice_is_valued(app, world, klantmanager_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       care_client=True)
    response = klantmanager_client.post(f"/trajecten/{stage.id}/zorg", data={
        "care_client": "y", "care_choice": "sociale_return",
        "care_reason": "De werkervaringsplaats staat los van de thuiszorg.",
        "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(stage)
    with app.test_request_context():
        assert value_of(stage).value == 2250


def test_ledger_leaves_care_stages_out(app, world):
    from tests.valuation.web.sample import make_contract
    from trajectory.valuation.ledger import contract_ledger

    candidate = goes_candidate(world)
    contract = make_contract(world, start=days(-400), end=days(1000))
    zorg = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.LOPEND,
                      care={"care_client": True, "choice": CareChoice.ZORG, "reason": REASON})
    wep = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
    with app.test_request_context():
        ledger = contract_ledger(contract)
    assert [line.description for line in ledger.labour] == [wep.title]
    assert ledger.labour[0].value == 2250
    assert zorg.id not in {int(line.url.rsplit("/", 1)[1]) for line in ledger.labour}


def test_labour_source_keeps_a_constant_query_count(app, world, count_queries):
    from tests.valuation.web.sample import make_contract
    from trajectory.valuation.ledger import labour_lines

    contract = make_contract(world, start=days(-400), end=days(1000))
    candidate = goes_candidate(world)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)

    def counted() -> tuple[int, int]:
        db.session.expire_all()
        with app.test_request_context(), count_queries() as counter:
            lines = labour_lines([contract])[contract.id]
        return counter.count, len(lines)

    small, one = counted()
    for n in range(5):
        other = goes_candidate(world, buddy=None, first_name=f"Ledger{n}", last_name="Test")
        make_stage(world, other, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                   start=days(-60), end=days(-50))
        make_stage(world, other, P1, StageKind.BBL, StageStatus.LOPEND, start=days(-40),
                   end=days(300))
    large, many = counted()
    assert (one, many) == (1, 11)
    assert large == small
