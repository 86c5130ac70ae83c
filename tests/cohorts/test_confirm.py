"""At the table: removing a candidate, an agreement or a decision asks first."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.candidates.support import actor_of
from tests.cohorts.support import PROVIDERS, agree, make_cohort, open_evaluation, person, seat
from tests.confirmation import asked, say_yes
from trajectory.audit.trail import acting_as
from trajectory.cohorts import services
from trajectory.cohorts.models import CohortAgreement, CohortCandidate, Decision, DecisionKind
from trajectory.extensions import db
from trajectory.timeutil import today


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_removing_an_agreement_asks_first(coordinator_client, world):
    cohort = make_cohort(world, providers=PROVIDERS[:1])
    candidate = person(world, "Fenna", "Kousbroek")
    seat(world, cohort, candidate)
    agree(world, cohort, candidate, PROVIDERS[0], support="Meelopen op de afdeling")
    agreement_id = db.session.scalars(sa.select(CohortAgreement.id)).one()
    url = f"/cohorten/{cohort.id}/afspraken/{agreement_id}/verwijderen"
    response = coordinator_client.post(url)
    page = asked(response, url)
    assert "Fenna Kousbroek" in response.text and PROVIDERS[0] in response.text
    assert "Meelopen op de afdeling" in response.text
    assert page.cancel == f"/cohorten/{cohort.id}#afspraken"
    assert _count(CohortAgreement) == 1
    assert say_yes(coordinator_client, page).status_code == 302
    assert _count(CohortAgreement) == 0


def test_removing_a_candidate_from_the_table_asks_and_says_the_agreements_go_too(
        coordinator_client, world):
    cohort = make_cohort(world, providers=PROVIDERS[:1])
    candidate = person(world, "Weg", "Uit")
    row_id = seat(world, cohort, candidate).id
    agree(world, cohort, candidate, PROVIDERS[0])
    url = f"/cohorten/{cohort.id}/kandidaten/{row_id}/verwijderen"
    response = coordinator_client.post(url)
    page = asked(response, url)
    assert "Weg Uit" in response.text
    assert "1" in response.text  # "Their 1 agreement is removed with them."
    assert (_count(CohortCandidate), _count(CohortAgreement)) == (1, 1)
    assert say_yes(coordinator_client, page).status_code == 302
    assert (_count(CohortCandidate), _count(CohortAgreement)) == (0, 0)


def test_removing_a_decision_asks_first(coordinator_client, world):
    cohort = make_cohort(world)
    evaluation = open_evaluation(world, cohort)
    user = world.user("coordinator")
    with acting_as(actor_of(user)):
        decision = services.add_decision(user, evaluation, kind=DecisionKind.DECISION,
                                         text="Vaker samen lunchen op de werkvloer",
                                         owner="Coördinator", due_on=today() + timedelta(30))
        db.session.commit()
    url = (f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}/besluiten/{decision.id}"
           "/verwijderen")
    response = coordinator_client.post(url)
    page = asked(response, url)
    assert "Vaker samen lunchen op de werkvloer" in response.text
    assert _count(Decision) == 1
    assert say_yes(coordinator_client, page).status_code == 302
    assert _count(Decision) == 0
