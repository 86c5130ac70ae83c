"""Removing a plan item or a benefit period asks first, on a page of its own."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.candidates.support import actor_of, add_benefit
from tests.confirmation import asked, say_yes
from trajectory.audit.trail import acting_as
from trajectory.candidates import services
from trajectory.candidates.models import Benefit, BenefitPeriod, Goal, GoalStep, PlanVersion
from trajectory.extensions import db


def test_removing_a_goal_asks_first_and_changes_nothing_until_yes(klantmanager_client, goes):
    plan = goes.plan
    goal_id = plan.goals[0].id
    versions = db.session.scalar(sa.select(sa.func.count(PlanVersion.id)))
    url = f"/kandidaten/{goes.id}/plan/doelen/{goal_id}/verwijderen"
    response = klantmanager_client.post(url, data={"lock_version": str(plan.lock_version)})
    page = asked(response, url)
    assert "Werkervaring opdoen in een verpleeghuis" in response.text
    assert page.value("lock_version") == str(plan.lock_version)  # the lock travels along
    assert page.cancel == f"/kandidaten/{goes.id}/plan/bewerken#doelen"
    assert db.session.get(Goal, goal_id) is not None
    assert db.session.scalar(sa.select(sa.func.count(GoalStep.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(PlanVersion.id))) == versions

    assert say_yes(klantmanager_client, page).status_code == 302
    assert db.session.get(Goal, goal_id) is None
    assert db.session.scalar(sa.select(sa.func.count(GoalStep.id))) == 0


def test_a_plan_changed_while_the_confirmation_was_open_is_not_removed_from(
        klantmanager_client, world, goes):
    plan = goes.plan
    barrier = plan.barriers[0]
    url = f"/kandidaten/{goes.id}/plan/belemmeringen/{barrier.id}/verwijderen"
    page = asked(klantmanager_client.post(url, data={"lock_version": str(plan.lock_version)}),
                 url)
    user = world.user("klantmanager")
    with acting_as(actor_of(user)):  # a colleague saves the plan meanwhile
        services.save_plan_texts(user, plan, {"wishes": "Liever in de thuiszorg.",
                                              "skills": "", "needs": "", "agreements": ""},
                                 plan.lock_version)
        db.session.commit()
    response = say_yes(klantmanager_client, page)
    assert response.status_code == 302
    assert db.session.get(type(barrier), barrier.id) is not None


def test_removing_a_benefit_period_asks_first(klantmanager_client, world, goes):
    add_benefit(world, goes, Benefit.WW, date(2026, 1, 1))
    period_id = db.session.scalars(sa.select(BenefitPeriod.id).where(
        BenefitPeriod.candidate_id == goes.id, BenefitPeriod.benefit == Benefit.WW)).one()
    url = f"/kandidaten/{goes.id}/uitkeringen/{period_id}/verwijderen"
    response = klantmanager_client.post(url)
    page = asked(response, url)
    assert "01-01-2026" in response.text
    assert db.session.get(BenefitPeriod, period_id) is not None
    assert page.cancel == f"/kandidaten/{goes.id}/uitkeringen/{period_id}"
    assert say_yes(klantmanager_client, page).status_code == 302
    assert db.session.get(BenefitPeriod, period_id) is None


def test_the_confirmation_needs_a_valid_csrf_token(klantmanager_client, goes):
    goal = goes.plan.goals[0]
    url = f"/kandidaten/{goes.id}/plan/doelen/{goal.id}/verwijderen"
    response = klantmanager_client.post(url, csrf=False, data={
        "lock_version": str(goes.plan.lock_version), "confirmed": "1"})
    assert response.status_code in (302, 400)
    assert db.session.get(Goal, goal.id) is not None
