"""What changes cohorts and their evaluations. Functions change objects and flush;
the view commits once, or rolls back on ``ServiceError``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import OPEN_STATUSES, Candidate
from trajectory.candidates.need_to_know import consent_allows, shared_with_overlegtafel
from trajectory.cohorts import stagefacts
from trajectory.cohorts.models import (
    Cohort,
    CohortAgreement,
    CohortCandidate,
    CohortCandidateStatus,
    CohortMunicipality,
    CohortProvider,
    Decision,
    DecisionKind,
    Evaluation,
    quarter_label,
    quarter_start,
)
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.services import ServiceError
from trajectory.timeutil import today, utcnow

TEXT_MAX = 5000


def _organisations(ids: list[int], kind: OrganisationKind) -> list[Organisation]:
    if not ids:
        return []
    found = db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(ids), Organisation.kind == kind)).all()
    if len(found) != len(set(ids)):
        raise ServiceError(_("Choose from the list."))
    return list(found)


# ------------------------------------------------------------------ the cohort

def _check_name(name: str, cohort: Cohort | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Give the cohort a name."), "name")
    clash = db.session.scalar(sa.select(Cohort.id).where(
        sa.func.lower(Cohort.name) == name.lower(),
        Cohort.id != (cohort.id if cohort else -1)))
    if clash:
        raise ServiceError(_("There already is a cohort with this name."), "name")
    return name


def _set_municipalities(cohort: Cohort, ids: list[int]) -> None:
    if not ids:
        raise ServiceError(_("Choose at least one municipality."), "municipalities")
    chosen = {o.id for o in _organisations(ids, OrganisationKind.MUNICIPALITY)}
    current = {row.municipality_id: row for row in cohort.municipality_rows}
    for municipality_id, row in current.items():
        if municipality_id not in chosen:
            if any(r.candidate.municipality_id == municipality_id for r in cohort.candidate_rows):
                raise ServiceError(_("A municipality with candidates in the cohort cannot be "
                                     "removed."), "municipalities")
            cohort.municipality_rows.remove(row)
    for municipality_id in sorted(chosen - set(current)):
        cohort.municipality_rows.append(CohortMunicipality(municipality_id=municipality_id))


def create_cohort(actor: User, *, name: str, start: date, municipality_ids: list[int],
                  description: str = "") -> Cohort:
    cohort = Cohort(name=_check_name(name, None), start_quarter=quarter_start(start),
                    description=(description or "").strip(), created_by_id=actor.id)
    db.session.add(cohort)
    _set_municipalities(cohort, municipality_ids)
    db.session.flush()
    return cohort


def update_cohort(actor: User, cohort: Cohort, *, name: str, start: date,
                  municipality_ids: list[int], description: str = "") -> Cohort:
    cohort.name = _check_name(name, cohort)
    new_start = quarter_start(start)
    if any(e.quarter_start < new_start for e in cohort.evaluations):
        raise ServiceError(_("There is an evaluation before this quarter."), "start_quarter")
    cohort.start_quarter = new_start
    cohort.description = (description or "").strip()
    _set_municipalities(cohort, municipality_ids)
    db.session.flush()
    return cohort


# ------------------------------------------------------------------ candidates at the table

def candidate_choices(actor: User, cohort: Cohort) -> list[Candidate]:
    """Candidates the actor may put forward: the klantmanager their municipality's, the
    coordinator those who consented to the overlegtafel; open trajectories of the
    cohort's municipalities, not yet in the cohort."""
    municipalities = [row.municipality_id for row in cohort.municipality_rows]
    taken = [row.candidate_id for row in cohort.candidate_rows
             if row.status is not CohortCandidateStatus.DECLINED]
    conditions = []
    if actor.has_role(Role.COORDINATOR):
        conditions.append(shared_with_overlegtafel())
    if actor.has_role(Role.KLANTMANAGER):
        conditions.append(Candidate.municipality_id == actor.organisation_id)
    if not conditions:
        return []
    stmt = (sa.select(Candidate).where(sa.or_(*conditions),
                                       Candidate.municipality_id.in_(municipalities),
                                       Candidate.status.in_(OPEN_STATUSES))
            .options(so.joinedload(Candidate.municipality))
            .order_by(Candidate.last_name, Candidate.first_name, Candidate.id))
    if taken:
        stmt = stmt.where(Candidate.id.not_in(taken))
    return list(db.session.scalars(stmt))


def other_tables(candidate_ids: list[int], cohort: Cohort | None = None
                 ) -> dict[int, CohortCandidate]:
    """Per candidate the row that seats them at another cohort's table (proposed or
    accepted; a declined proposal seats nobody), in one query. ``cohort`` is left out."""
    if not candidate_ids:
        return {}
    stmt = (sa.select(CohortCandidate)
            .where(CohortCandidate.candidate_id.in_(candidate_ids),
                   CohortCandidate.status.in_((CohortCandidateStatus.PROPOSED,
                                               CohortCandidateStatus.ACCEPTED)))
            .options(so.joinedload(CohortCandidate.cohort))
            .order_by(CohortCandidate.id))
    if cohort is not None and cohort.id is not None:
        stmt = stmt.where(CohortCandidate.cohort_id != cohort.id)
    found: dict[int, CohortCandidate] = {}
    for row in db.session.scalars(stmt):
        known = found.get(row.candidate_id)
        if known is None or (row.accepted and not known.accepted):  # a seat weighs more
            found[row.candidate_id] = row
    return found


def _one_table(candidate: Candidate, cohort: Cohort) -> None:
    """A candidate sits at one cohort's table at a time."""
    other = other_tables([candidate.id], cohort).get(candidate.id)
    if other is None:
        return
    if other.status is CohortCandidateStatus.ACCEPTED:
        raise ServiceError(_("%(name)s already sits at the table of cohort '%(cohort)s'. A "
                             "candidate sits at one table at a time.",
                             name=candidate.full_name, cohort=other.cohort.name),
                           "candidate_id")
    raise ServiceError(_("%(name)s already sits at the table of cohort '%(cohort)s' (proposed, "
                         "not yet decided). A candidate sits at one table at a time.",
                         name=candidate.full_name, cohort=other.cohort.name), "candidate_id")


def propose_candidate(actor: User, cohort: Cohort, candidate: Candidate,
                      motivation: str = "") -> CohortCandidate:
    """A klantmanager proposes a candidate of their municipality; the coordinator puts a
    candidate (with consent for the overlegtafel) at the table at once. A candidate
    proposed or accepted at another cohort's table is refused."""
    if candidate.id not in {c.id for c in candidate_choices(actor, cohort)}:
        raise ServiceError(_("This candidate cannot be put forward for this cohort."),
                           "candidate_id")
    _one_table(candidate, cohort)
    motivation = (motivation or "").strip()
    if len(motivation) > 500:
        raise ServiceError(_("The motivation is longer than 500 characters."), "motivation")
    coordinator = actor.has_role(Role.COORDINATOR)
    row = next((r for r in cohort.candidate_rows if r.candidate_id == candidate.id), None)
    if row is None:
        row = CohortCandidate(candidate_id=candidate.id)
        cohort.candidate_rows.append(row)
    row.motivation = motivation
    row.proposed_by_id = actor.id
    row.proposed_on = today()
    row.status = CohortCandidateStatus.ACCEPTED if coordinator else CohortCandidateStatus.PROPOSED
    row.decided_by_id = actor.id if coordinator else None
    row.decided_on = today() if coordinator else None
    db.session.flush()
    return row


def decide_candidate(actor: User, row: CohortCandidate, accept: bool) -> CohortCandidate:
    if row.status is not CohortCandidateStatus.PROPOSED:
        raise ServiceError(_("This proposal has already been decided."))
    if accept and not consent_allows(row.candidate, "overlegtafel"):
        raise ServiceError(_("%(name)s has not consented to sharing with the overlegtafel. "
                             "Ask the klantmanager to record the consent first.",
                             name=row.candidate.first_name))
    if accept:
        _one_table(row.candidate, row.cohort)
    row.status = CohortCandidateStatus.ACCEPTED if accept else CohortCandidateStatus.DECLINED
    row.decided_by_id = actor.id
    row.decided_on = today()
    db.session.flush()
    return row


def remove_candidate(actor: User, row: CohortCandidate) -> None:
    cohort = row.cohort
    for agreement in [a for a in cohort.agreements if a.candidate_id == row.candidate_id]:
        cohort.agreements.remove(agreement)
    cohort.candidate_rows.remove(row)
    db.session.flush()


# ------------------------------------------------------------------ providers and agreements

def set_providers(actor: User, cohort: Cohort, provider_ids: list[int]) -> None:
    chosen = {o.id for o in _organisations(provider_ids, OrganisationKind.PROVIDER)}
    current = {row.provider_id: row for row in cohort.provider_rows}
    for provider_id, row in current.items():
        if provider_id not in chosen:
            if any(a.provider_id == provider_id for a in cohort.agreements):
                raise ServiceError(_("%(name)s has agreements in this cohort: remove those "
                                     "first.", name=row.provider.name), "providers")
            cohort.provider_rows.remove(row)
    for provider_id in sorted(chosen - set(current)):
        cohort.provider_rows.append(CohortProvider(provider_id=provider_id))
    db.session.flush()


def add_agreement(actor: User, cohort: Cohort, *, candidate_id: int | None,
                  provider_id: int | None, stage_kind: str | None,
                  support: str | None) -> CohortAgreement:
    if candidate_id not in {row.candidate_id for row in cohort.accepted}:
        raise ServiceError(_("Choose a candidate at the table."), "candidate_id")
    if provider_id not in {row.provider_id for row in cohort.provider_rows}:
        raise ServiceError(_("Choose a provider at the table."), "provider_id")
    # An agreement opens the file to the provider's intaker: only under the candidate's
    # consent for providers (trajectory.candidates.need_to_know).
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not consent_allows(candidate, "providers"):
        raise ServiceError(_("The candidate has not consented to sharing their file with "
                             "providers, or the consent has expired. Ask the klantmanager "
                             "to record the consent first."), "candidate_id")
    stage_kind = stage_kind or None
    if stage_kind and stage_kind not in {code for code, _label in stagefacts.kind_choices()}:
        raise ServiceError(_("Choose a stage from the list."), "stage_kind")
    support = (support or "").strip() or None
    if not stage_kind and not support:
        raise ServiceError(_("Say which stage the provider takes, or which support."),
                           "support")
    agreement = CohortAgreement(candidate_id=candidate_id, provider_id=provider_id,
                                stage_kind=stage_kind, support=support)
    cohort.agreements.append(agreement)
    db.session.flush()
    return agreement


def remove_agreement(actor: User, agreement: CohortAgreement) -> None:
    agreement.cohort.agreements.remove(agreement)
    db.session.flush()


# ------------------------------------------------------------------ evaluations

def open_evaluation(actor: User, cohort: Cohort, quarter: date) -> Evaluation:
    quarter = quarter_start(quarter)
    if quarter < cohort.start_quarter:
        raise ServiceError(_("The cohort starts in %(quarter)s.",
                             quarter=cohort.quarter_label), "quarter")
    if quarter > quarter_start(today()):
        raise ServiceError(_("A quarter can be evaluated once it has begun."), "quarter")
    if any(e.quarter_start == quarter for e in cohort.evaluations):
        raise ServiceError(_("%(quarter)s already has an evaluation.",
                             quarter=quarter_label(quarter)), "quarter")
    evaluation = Evaluation(quarter_start=quarter)
    cohort.evaluations.append(evaluation)
    db.session.flush()
    return evaluation


def _open(evaluation: Evaluation) -> None:
    if evaluation.is_closed:
        raise ServiceError(_("This evaluation is closed and can no longer be changed."))


def save_answers(actor: User, evaluation: Evaluation, answers: dict[str, str],
                 lock_version: int) -> Evaluation:
    """The four questions; a stale form (someone else saved meanwhile) is refused."""
    _open(evaluation)
    if lock_version != evaluation.lock_version:
        raise StaleAnswers()
    for key in ("works", "obstacles", "energy", "yields"):
        text = (answers.get(key) or "").strip()
        if len(text) > TEXT_MAX:
            raise ServiceError(_("At most %(n)d characters.", n=TEXT_MAX), key)
        setattr(evaluation, key, text)
    db.session.flush()
    return evaluation


class StaleAnswers(ServiceError):
    def __init__(self) -> None:
        super().__init__(_("Someone else saved the answers while you were typing. Your text "
                           "is still in the form; the saved text is shown below it."))


def add_decision(actor: User, evaluation: Evaluation, *, kind: DecisionKind, text: str,
                 owner: str, due_on: date) -> Decision:
    _open(evaluation)
    text, owner = (text or "").strip(), (owner or "").strip()
    if not text:
        raise ServiceError(_("Describe the decision or lesson."), "text")
    if not owner:
        raise ServiceError(_("Name who takes it up."), "owner")
    decision = Decision(kind=kind, text=text, owner=owner, due_on=due_on)
    evaluation.decisions.append(decision)
    db.session.flush()
    return decision


def remove_decision(actor: User, decision: Decision) -> None:
    _open(decision.evaluation)
    decision.evaluation.decisions.remove(decision)
    db.session.flush()


def close_evaluation(actor: User, evaluation: Evaluation, figures: dict) -> Evaluation:
    """Freeze the figures: from now on the evaluation shows ``figures`` and nothing else."""
    _open(evaluation)
    if not any((evaluation.works, evaluation.obstacles, evaluation.energy, evaluation.yields)):
        raise ServiceError(_("Answer at least one of the four questions before closing."))
    evaluation.snapshot = figures
    evaluation.closed_at = utcnow()
    evaluation.closed_by_id = actor.id
    db.session.flush()
    return evaluation
