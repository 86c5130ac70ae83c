"""Builders for candidate tests (plain functions over the real services).

Also used by tests/auth/test_matrix.py, which needs, per role, a candidate
that role can reach.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.models import User
from trajectory.candidates import benefits, services
from trajectory.candidates.models import Benefit, BenefitPeriod, Candidate, MeasurementKind
from trajectory.candidates.services import CandidateDetails
from trajectory.extensions import db
from trajectory.timeutil import today

VALID_BSN = "111222333"


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, name=user.username, organisation_id=user.organisation_id,
                 roles=",".join(sorted(user.roles)))


def details(klantmanager: User, **overrides: Any) -> CandidateDetails:
    values: dict[str, Any] = {
        "first_name": "Zoë", "tussenvoegsel": "de", "last_name": "Vries",
        "date_of_birth": date(1988, 4, 12), "benefit": Benefit.PARTICIPATIEWET,
        "benefit_since": today() - timedelta(days=3 * 365 + 70),
        "klantmanager_id": klantmanager.id, "phone": "06 12345678",
        "email": "zoe@voorbeeld.nl", "street": "Kerkstraat 12", "postcode": "4461 AB",
        "place": "Goes", "consent_given_on": today() - timedelta(days=60),
        "consent_providers": True, "consent_buddy": True, "consent_overlegtafel": True,
        "consent_expires_on": today() + timedelta(days=365),
    }
    values.update(overrides)
    return CandidateDetails(**values)


def register(world, klantmanager: str = "klantmanager", allow_similar: bool = True,
             **overrides: Any) -> Candidate:
    user = world.user(klantmanager)
    with acting_as(actor_of(user)):
        candidate = services.register_candidate(user, details(user, **overrides),
                                                allow_similar=allow_similar)
        db.session.commit()
    return candidate


def add_benefit(world, candidate: Candidate, benefit: Benefit, start: date,
                end: date | None = None, by: str = "klantmanager") -> BenefitPeriod:
    """A further period in the benefit history, through the service (a running period
    that started earlier ends the day before ``start``)."""
    user = world.user(by)
    with acting_as(actor_of(user)):
        period = benefits.add_benefit_period(candidate, user, benefit, start, end)
        db.session.commit()
    return period


def replace_benefits(world, candidate: Candidate, *periods: tuple[Benefit, date, date | None],
                     by: str = "klantmanager") -> None:
    """Exactly these benefit periods (benefit, start, end), through the service."""
    user = world.user(by)
    with acting_as(actor_of(user)):
        for period in list(candidate.benefit_periods):
            benefits.remove_benefit_period(period)
        for benefit, start, end in sorted(periods, key=lambda p: p[1]):
            benefits.add_benefit_period(candidate, user, benefit, start, end)
        db.session.commit()


def assign(world, candidate: Candidate, buddy: str = "buddy", start: date | None = None,
           by: str = "klantmanager", phone: str | None = "06 87654321") -> None:
    user = world.user(by)
    with acting_as(actor_of(user)):
        services.assign_buddy(user, candidate, world.user(buddy),
                              start or today() - timedelta(days=30), phone)
        db.session.commit()


def write_plan(world, candidate: Candidate, by: str = "klantmanager") -> None:
    """Texts, a goal with a step, a barrier and a training: five saves in one sitting,
    so one version (trajectory/candidates/plan_versions.py)."""
    user = world.user(by)
    plan = candidate.plan
    with acting_as(actor_of(user)):
        services.save_plan_texts(user, plan, {
            "wishes": "Ik wil graag in de zorg werken, het liefst met ouderen.",
            "skills": "Rooster lezen, op tijd komen.", "needs": "Een vaste begeleider.",
            "agreements": "We spreken elke twee weken af."}, plan.lock_version)
        goal = services.add_plan_item(user, plan, "doelen", {
            "description": "Werkervaring opdoen in een verpleeghuis",
            "target_date": today() + timedelta(days=120), "status": "bezig"})
        services.add_plan_item(user, plan, "stappen", {
            "description": "Kennismaken op de afdeling", "who": "Kees",
            "due_date": today() + timedelta(days=14), "done": False}, goal=goal)
        services.add_plan_item(user, plan, "belemmeringen", {
            "category": "schulden", "description": "Schulden bij de zorgverzekeraar",
            "severity": 2, "solvable": "deels", "possible_despite": "Wel vrijwilligerswerk",
            "taken_up_by": "Schuldhulp Goes", "status": "in_behandeling"})
        services.add_plan_item(user, plan, "opleidingen", {
            "name": "Helpende Zorg en Welzijn", "provider": "Scalda",
            "start_date": today() + timedelta(days=30), "end_date": None,
            "status": "gepland", "certificate": False})
        db.session.commit()


def measure(world, candidate: Candidate, rung: int, days_ago: int,
            kind: MeasurementKind = MeasurementKind.REVIEW, by: str = "klantmanager") -> None:
    user = world.user(by)
    with acting_as(actor_of(user)):
        services.record_measurement(user, candidate, measured_on=today() - timedelta(days=days_ago),
                                    rung=rung, kind=kind)
        db.session.commit()


def goes_file(world) -> Candidate:
    """A Goes candidate with Kees Dekker (Welzijn De Bevelanden) as buddy and consent
    for everyone: in scope for klantmanager, intaker2, buddy and coordinator; out
    of scope for klantmanager2 (Tholen) and intaker (Zorggroep Scheldezoom)."""
    candidate = register(world, bsn=VALID_BSN)
    assign(world, candidate, "buddy")
    write_plan(world, candidate)
    measure(world, candidate, 2, 90, MeasurementKind.INTAKE)
    return candidate


def matrix_candidate(world, role=None) -> Candidate:
    """One reachable candidate per role for the foundation's route matrix (cached on world).

    The intaker account (Zorggroep Scheldezoom) reaches a candidate whose buddy is
    Ahmet Jansen of that provider and who has a running stage there (so the intaker
    co-writes the plan); everyone else the Goes file with Kees Dekker.
    """
    from trajectory.auth.roles import Role

    cache = world.__dict__.setdefault("_matrix_candidates", {})
    key = "intaker" if role == Role.INTAKER else "default"
    if key not in cache:
        if key == "intaker":
            candidate = register(world, first_name="Bram", last_name="Schipper",
                                 date_of_birth=date(1979, 9, 3), bsn=None)
            assign(world, candidate, "a.jansen")
            write_plan(world, candidate)
            _running_stage_at_scheldezoom(world, candidate)
        else:
            candidate = goes_file(world)
        cache[key] = candidate.id
    return db.session.get(Candidate, cache[key])


def _running_stage_at_scheldezoom(world, candidate: Candidate) -> None:
    from decimal import Decimal

    from tests.stages.conftest import make_stage
    from trajectory.stages.models import StageKind, StageStatus

    make_stage(world, candidate, "Zorggroep Scheldezoom", StageKind.WERKERVARINGSPLAATS,
               StageStatus.LOPEND, hours_per_week=Decimal(20))


def matrix_args(endpoint: str):
    """URL arguments for a candidates.* endpoint, for ``URL_ARGS`` in test_matrix."""

    def make(world, role=None) -> dict[str, Any]:
        candidate = matrix_candidate(world, role)
        plan = candidate.plan
        args: dict[str, Any] = {"candidate_id": candidate.id}
        name = endpoint.split(".", 1)[1]
        if name == "export":
            return {"fmt": "csv"}
        if name == "plan_version":
            args["number"] = plan.current_number
        if name in ("plan_item_new",):
            args["kind"] = "doelen"
        if name == "plan_step_new":
            args["goal_id"] = plan.goals[0].id
        if name in ("plan_item_edit", "plan_item_remove"):
            args.update(kind="doelen", item_id=plan.goals[0].id)
        if name in ("benefit_edit", "benefit_end", "benefit_remove"):
            args["period_id"] = candidate.benefit_periods[0].id
        return args

    make.takes_role = True  # type: ignore[attr-defined]
    return make


CANDIDATE_URL_ARGS = {endpoint: matrix_args(endpoint) for endpoint in (
    "candidates.export", "candidates.show", "candidates.edit", "candidates.status",
    "candidates.buddy", "candidates.measurement_new", "candidates.zrm_new", "candidates.plan",
    "candidates.plan_versions", "candidates.plan_version", "candidates.plan_compare",
    "candidates.plan_edit", "candidates.plan_item_new", "candidates.plan_step_new",
    "candidates.plan_item_edit", "candidates.plan_item_remove", "candidates.plan_agree",
    "candidates.mijn_plan_page", "candidates.mijn_plan_pdf", "candidates.benefit_new",
    "candidates.benefit_edit", "candidates.benefit_end", "candidates.benefit_remove",
    "candidates.history")}
