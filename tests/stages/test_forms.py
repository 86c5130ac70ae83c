"""Bad input on every stage form: the page comes back with the input kept, a message at the
field and in the error summary, and nothing saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.stages.conftest import P1, P2, days, goes_candidate, make_stage
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageKind, StageStatus


def assert_kept(response, field: str, kept: list[str]) -> None:
    assert response.status_code == 200, response.status_code
    page = response.text
    assert "error-summary" in page, "no error summary"
    assert re.search(rf'href="#{field}(-0)?"', page), f"summary does not link to {field}"
    assert f'id="{field}-error"' in page, f"no message at {field}"
    for text in kept:
        assert text in page, f"input {text!r} was not kept"


def d(n: int) -> str:
    return days(n).strftime("%d-%m-%Y")


@pytest.mark.parametrize(("data", "field", "kept"), [
    ({"kind": "bbl", "planned_start": d(5), "planned_end": d(300), "note": "Graag snel"},
     "level", ["Graag snel", d(300)]),
    ({"kind": "coaching", "planned_start": d(5), "planned_end": d(60), "hours": "veel"},
     "hours", ['value="veel"']),
    ({"kind": "coaching", "planned_start": d(5), "planned_end": d(60)}, "hours", [d(60)]),
    ({"kind": "intake", "planned_start": "32-13-2026", "hours": "6"}, "planned_start",
     ['value="32-13-2026"', 'value="6"']),
    ({"kind": "intake", "planned_start": d(10), "planned_end": d(5), "hours": "6"},
     "planned_end", [d(5)]),
    ({"kind": "intake", "planned_start": d(10), "hours": "6"}, "planned_end", [d(10)]),
    ({"kind": "paid_job", "planned_start": d(10), "hours_per_week": "24"}, "job_title",
     ['value="24"']),
    ({"kind": "paid_job", "planned_start": d(10), "job_title": "Helpende"}, "hours_per_week",
     ['value="Helpende"']),
    ({"kind": "intake", "planned_start": d(10), "planned_end": d(12), "hours": "6",
      "answer_due": d(-3)}, "answer_due", [d(-3)]),
    ({"kind": "intake", "provider_id": "", "planned_start": d(10), "planned_end": d(12),
      "hours": "6"}, "provider_id", ['value="6"']),
    # A vacancy of another provider (a kind that cannot fill one shows no vacancy field:
    # tests/stages/test_kinds.py).
    ({"kind": "bbl", "level": "2", "planned_start": d(10), "planned_end": d(300),
      "vacancy_id": "VACANCY"}, "vacancy_id", [d(10)]),
])
def test_propose_form(world, klantmanager_client, data, field, kept):
    from tests.providers.conftest import add_vacancy

    candidate = goes_candidate(world)
    data = {"provider_id": world.org(P1).id, **data}
    if data.get("vacancy_id") == "VACANCY":
        data["vacancy_id"] = add_vacancy(world.org(P2)).id
    response = klantmanager_client.post(f"/trajecten/kandidaat/{candidate.id}/nieuw", data=data)
    assert_kept(response, field, kept)
    assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 0


def test_offer_item_of_another_provider_is_refused(world, klantmanager_client):
    from tests.providers.conftest import add_offer

    candidate = goes_candidate(world)
    item = add_offer(world.org(P2))
    response = klantmanager_client.post(f"/trajecten/kandidaat/{candidate.id}/nieuw", data={
        "kind": "werkervaringsplaats", "provider_id": world.org(P1).id, "planned_start": d(5),
        "offer_item_id": item.id})
    assert_kept(response, "offer_item_id", [d(5)])


def test_answer_form(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    url = f"/trajecten/{stage.id}/beantwoorden"
    response = intaker_client.post(url, data={"version": stage.version,
                                              "responsible_name": "Team Noord"})
    assert_kept(response, "decision", ['value="Team Noord"'])
    response = intaker_client.post(url, data={"decision": "decline", "reason": "  ",
                                              "version": stage.version})
    assert_kept(response, "reason", ['value="decline"'])
    db.session.refresh(stage)
    assert stage.status is StageStatus.VOORGESTELD


def test_start_form(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE, StageStatus.GEPLAND)
    url = f"/trajecten/{stage.id}/starten"
    assert_kept(intaker_client.post(url, data={"actual_start": "gisteren",
                                               "version": stage.version}),
                "actual_start", ['value="gisteren"'])
    assert_kept(intaker_client.post(url, data={"actual_start": d(3), "version": stage.version}),
                "actual_start", [d(3)])
    db.session.refresh(stage)
    assert stage.status is StageStatus.GEPLAND


def test_end_form(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.COACHING,
                       StageStatus.LOPEND, start=days(-20), end=days(40))
    url = f"/trajecten/{stage.id}/beeindigen"
    assert_kept(intaker_client.post(url, data={"status": "afgebroken", "actual_end": d(-1),
                                               "version": stage.version}),
                "reason", [d(-1)])
    assert_kept(intaker_client.post(url, data={"status": "afgerond", "actual_end": d(-30),
                                               "reason": "Klaar", "version": stage.version}),
                "actual_end", [d(-30), "Klaar"])
    assert_kept(intaker_client.post(url, data={"actual_end": d(-1), "reason": "Klaar",
                                               "version": stage.version}),
                "status", ["Klaar"])
    db.session.refresh(stage)
    assert stage.status is StageStatus.LOPEND


@pytest.mark.parametrize(("kind", "data", "field", "kept"), [
    (StageKind.INTAKE, {"suitable_function": "Gastvrouw"}, "suitable_for_care",
     ['value="Gastvrouw"']),
    (StageKind.WERKERVARINGSPLAATS, {"next_step_decided_on": "morgen"}, "next_step_decided_on",
     ['value="morgen"']),
    (StageKind.WERKERVARINGSPLAATS, {"next_step_decision": "  ", "outcome_note": "Goed"},
     "next_step_decision", ["Goed"]),
    (StageKind.BBL, {"outcome_note": "Examen in juni"}, "diploma", ["Examen in juni"]),
    (StageKind.PAID_JOB, {"contract_hours": "24"}, "contract_type", ['value="24"']),
    (StageKind.PAID_JOB, {"contract_type": "bepaalde_tijd", "contract_hours": "80"},
     "contract_hours", ['value="80"']),
    (StageKind.COACHING, {"outcome_note": ""}, "outcome_note", []),
])
def test_outcome_form(world, intaker_client, kind, data, field, kept):
    stage = make_stage(world, goes_candidate(world), P1, kind, StageStatus.LOPEND,
                       start=days(-20), end=days(300) if kind is not StageKind.PAID_JOB else None)
    response = intaker_client.post(f"/trajecten/{stage.id}/uitkomst",
                                   data={**data, "version": stage.version})
    assert_kept(response, field, kept)
    db.session.refresh(stage)
    assert not stage.has_outcome


def test_edit_form(world, klantmanager_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.BBL, StageStatus.GEPLAND,
                       start=days(10), end=days(300))
    url = f"/trajecten/{stage.id}/bewerken"
    assert_kept(klantmanager_client.post(url, data={
        "planned_start": d(10), "planned_end": d(5), "level": "3", "note": "Andere afdeling",
        "version": stage.version}), "planned_end", ["Andere afdeling"])
    assert_kept(klantmanager_client.post(url, data={
        "planned_start": d(10), "planned_end": d(300), "level": "", "note": "Andere afdeling",
        "version": stage.version}), "level", ["Andere afdeling"])
    db.session.refresh(stage)
    assert stage.level == 2


def test_transfer_form(world, klantmanager_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.LOPEND, start=days(-30))
    url = f"/trajecten/{stage.id}/doorplaatsen"
    base = {"end_on": d(0), "end_status": "afgerond", "planned_start": d(1),
            "note": "Dichter bij huis", "version": stage.version}
    assert_kept(klantmanager_client.post(url, data={**base, "provider_id": ""}),
                "provider_id", ["Dichter bij huis"])
    assert_kept(klantmanager_client.post(url, data={**base, "provider_id": world.org(P2).id,
                                                    "planned_start": d(-5)}),
                "planned_start", [d(-5), "Dichter bij huis"])
    db.session.refresh(stage)
    assert stage.status is StageStatus.LOPEND
    assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 1
