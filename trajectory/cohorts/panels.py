"""Home panels: the signals and tasks in each role's scope.

* klantmanager: the buddies' unhandled signals (tasks) and every signal for the
  municipality's candidates;
* buddy: each own candidate with a "log a contact" link, the signals about them
  and the signals the buddy raised that wait for the klantmanager;
* intaker: the signals about candidates connected to the provider;
* coordinator: what waits for the table (the candidates proposed for a cohort, the
  quarterly evaluations not yet closed: a count and the first few, each with what to do
  and a link to the form where it is done), and per cohort the number of open signals
  of each kind.

Every panel costs a fixed number of queries (one per signal, one for tasks; the
coordinator's waiting work: one for both counts, one per list, one for the names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from flask_babel import gettext as _

from trajectory.audit.rendering import show_subjects
from trajectory.auth.models import by_name
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate, CandidateStatus
from trajectory.candidates.need_to_know import visible_for_all
from trajectory.candidates.scope import assigned_to_buddy
from trajectory.cohorts import signals as sig
from trajectory.cohorts.models import Cohort, CohortCandidate, CohortCandidateStatus, Evaluation
from trajectory.extensions import db
from trajectory.i18n import day
from trajectory.main.home import register_panel

SHOWN = 5
# The buddy's own candidates on the home page (more: the candidate list).
BUDDY_SHOWN = 20
# Cohorts on the coordinator's home (newest first; every cohort: the signals page).
COHORTS_SHOWN = 10


def signal_action(hit: sig.Hit, user: Any, loggable: frozenset[int] = frozenset()) -> Waiting:
    """What this user does about a signal, and the page where it is done (``loggable``: the
    candidates whose contact log this buddy writes in)."""
    file = url_for("candidates.show", candidate_id=hit.candidate_id)
    km = user.has_role(Role.KLANTMANAGER)
    own_stage = (hit.stage_id is not None and user.has_role(Role.INTAKER)
                 and hit.provider_id == user.organisation_id)

    def todo(text: str, url: str = file) -> Waiting:
        return Waiting(text, url, hit.name, "")

    if hit.signal == "geen_contact":
        if hit.candidate_id in loggable:
            return todo(_("Log a contact"), url_for("contacts.new",
                                                    candidate_id=hit.candidate_id))
        if user.has_role(Role.BUDDY):
            return todo(_("Call the candidate"))
        return todo(_("Call the candidate or the buddy") if km
                    else _("Ask the buddy how it is going"))
    if hit.signal == "toestemming_verloopt":
        if km:
            return todo(_("Renew the consent"), url_for(
                "candidates.edit", candidate_id=hit.candidate_id, _anchor="consent_expires_on"))
        return todo(_("Ask the klantmanager to renew the consent"))
    if hit.signal == "plan_niet_vastgesteld":
        if km:
            return todo(_("Agree the plan with the candidate"),
                        url_for("candidates.plan", candidate_id=hit.candidate_id))
        return todo(_("Ask the klantmanager to agree the plan"))
    if hit.signal in ("wep_eindigt", "stap_zonder_uitkomst") and hit.stage_id is not None:
        decision = hit.signal == "wep_eindigt"
        if own_stage:
            return todo(_("Record the decision on the next step") if decision
                        else _("Record the outcome"),
                        url_for("stages.outcome", stage_id=hit.stage_id))
        return todo(_("Agree the next step with the provider") if decision
                    else _("Ask the provider for the outcome"),
                    url_for("stages.detail", stage_id=hit.stage_id, _anchor="uitkomst"))
    if hit.signal == "geen_stapwijziging" and km:
        return todo(_("Propose the next stage"),
                    url_for("stages.propose", candidate_id=hit.candidate_id))
    return todo(_("Look at the file and plan the next step"))


def _results(user: Any, loggable: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """Each signal's count and first three hits: one query for the counts, one per signal
    that has hits."""
    results = [{"signal": result.signal,
                "hits": [(hit, signal_action(hit, user, loggable)) for hit in result.hits],
                "total": result.total}
               for result in sig.signals_for(user, shown=3)]
    # The hits shown are plain rows (a name, no model): log them here.
    show_subjects({hit.candidate_id for result in results for hit, _todo in result["hits"]},
                  object_type="Signal", categories=("naam", "signaal"))
    return results


def klantmanager_context(user: Any) -> dict[str, Any]:
    scope = sig.task_scope(user)
    tasks = sig.open_buddy_signals(scope, limit=SHOWN + 1)
    return {"tasks": tasks[:SHOWN], "more_tasks": len(tasks) > SHOWN, "signals": _results(user)}


def buddy_context(user: Any) -> dict[str, Any]:
    """The buddy's own candidates (a buddy has a handful; the first ``BUDDY_SHOWN`` and a
    count), the signals about them and the buddy's raised signals."""
    mine = sa.and_(assigned_to_buddy(user.id), Candidate.status != CandidateStatus.UITGESTROOMD)
    total = db.session.scalar(sa.select(sa.func.count(Candidate.id)).where(mine)) or 0
    candidates = db.session.scalars(
        sa.select(Candidate).where(mine)
        .order_by(Candidate.first_name, Candidate.last_name, Candidate.id)
        .limit(BUDDY_SHOWN)).all() if total else []
    waiting = sig.open_buddy_signals(sig.task_scope(user), limit=SHOWN)
    # Assigned to this buddy; the log is written while the consent lets the buddy read it.
    visible = visible_for_all(user, list(candidates)) if candidates else {}
    loggable = frozenset(c.id for c in candidates if visible.get(c.id) and visible[c.id].notes)
    return {"candidates": candidates, "candidates_total": total, "loggable": loggable,
            "signals": _results(user, loggable), "waiting": waiting}


def intaker_context(user: Any) -> dict[str, Any]:
    return {"signals": _results(user)}


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for the table: what to do, where, and about what."""

    text: str
    url: str
    about: str
    detail: str


def _proposal_condition(user: Any) -> sa.ColumnElement[bool]:
    return sa.and_(CohortCandidate.status == CohortCandidateStatus.PROPOSED,
                   CohortCandidate.cohort_id.in_(sa.select(Cohort.id).where(
                       Cohort.scope_filter(user))))


def _open_evaluation_condition(user: Any) -> sa.ColumnElement[bool]:
    return sa.and_(Evaluation.closed_at.is_(None),
                   Evaluation.cohort_id.in_(sa.select(Cohort.id).where(
                       Cohort.scope_filter(user))))


def waiting_for_table(user: Any, shown: int = SHOWN) -> dict[str, Any]:
    """The proposals to decide and the evaluations to close: counts (one query), the first
    ``shown`` of each (one query each) and who may be named (one query)."""
    proposals_total, evaluations_total = db.session.execute(sa.select(
        sa.select(sa.func.count(CohortCandidate.id)).where(_proposal_condition(user))
        .scalar_subquery(),
        sa.select(sa.func.count(Evaluation.id)).where(_open_evaluation_condition(user))
        .scalar_subquery())).one()
    proposals = list(db.session.scalars(
        sa.select(CohortCandidate).where(_proposal_condition(user))
        .options(so.joinedload(CohortCandidate.cohort),
                 so.joinedload(CohortCandidate.candidate).joinedload(Candidate.municipality),
                 by_name(CohortCandidate.proposed_by))
        .order_by(CohortCandidate.proposed_on, CohortCandidate.id).limit(shown))
        if proposals_total else [])
    evaluations = list(db.session.scalars(
        sa.select(Evaluation).where(_open_evaluation_condition(user))
        .options(so.joinedload(Evaluation.cohort))
        .order_by(Evaluation.quarter_start, Evaluation.id).limit(shown))
        if evaluations_total else [])
    visible = visible_for_all(user, [row.candidate for row in proposals]) if proposals else {}
    named = [row.candidate_id for row in proposals
             if visible.get(row.candidate_id) and visible[row.candidate_id].name]
    show_subjects(named, object_type="CohortCandidate", categories=("naam",))
    return {
        "proposals": [_proposal(row, row.candidate_id in named) for row in proposals],
        "proposals_total": int(proposals_total or 0),
        "evaluations": [_evaluation(e) for e in evaluations],
        "evaluations_total": int(evaluations_total or 0),
    }


def _proposal(row: CohortCandidate, named: bool) -> Waiting:
    person = row.candidate.full_name if named else _("Proposed candidate")
    by = row.proposed_by.full_name if row.proposed_by else "–"
    return Waiting(
        _("Accept or decline the proposal"),
        url_for("cohorts.show", cohort_id=row.cohort_id, _anchor=f"voorstel-{row.id}"),
        _("%(person)s (%(municipality)s) for %(cohort)s", person=person,
          municipality=row.candidate.municipality.name, cohort=row.cohort.name),
        _("proposed by %(name)s on %(date)s", name=by, date=day(row.proposed_on)))


def _evaluation(evaluation: Evaluation) -> Waiting:
    answered = all((evaluation.works, evaluation.obstacles, evaluation.energy,
                    evaluation.yields))
    ids = {"cohort_id": evaluation.cohort_id, "evaluation_id": evaluation.id}
    if answered:
        action = (_("Close the evaluation"), url_for("cohorts.evaluation_close", **ids))
    else:
        action = (_("Answer the four questions"),
                  url_for("cohorts.evaluation_answers", **ids, _anchor="works"))
    return Waiting(
        *action,
        _("Evaluation %(quarter)s of %(cohort)s", quarter=evaluation.quarter_label,
          cohort=evaluation.cohort.name),
        _("all four questions answered") if answered else _("questions still open"))


def coordinator_cohorts(user: Any) -> sa.Select:
    """The cohorts the user sees, newest first (the panel's and the signals page's order)."""
    return (sa.select(Cohort).where(Cohort.scope_filter(user))
            .order_by(Cohort.start_quarter.desc(), Cohort.name, Cohort.id))


def cohort_rows(cohorts: list[Cohort]) -> list[tuple[Cohort, list[tuple[str, int]]]]:
    """Each cohort with its open signals per key (one grouped query for all of them)."""
    counts = sig.cohort_counts([c.id for c in cohorts]) if cohorts else {}
    keys = sig.cohort_keys()
    return [(cohort, [(key, counts.get(cohort.id, {}).get(key, 0)) for key in keys])
            for cohort in cohorts]


def coordinator_context(user: Any) -> dict[str, Any]:
    """The newest ``COHORTS_SHOWN`` cohorts with their open signals, and how many there are:
    three queries, however many cohorts the region has."""
    total = db.session.scalar(sa.select(sa.func.count(Cohort.id))
                              .where(Cohort.scope_filter(user))) or 0
    cohorts = list(db.session.scalars(coordinator_cohorts(user).limit(COHORTS_SHOWN))
                   ) if total else []
    return {"rows": cohort_rows(cohorts), "keys": sig.cohort_keys(), "label": sig.signal_label,
            "total": total, "more": total > len(cohorts)}


register_panel("cohorts_signals_klantmanager", {Role.KLANTMANAGER},
               "cohorts/_panel_klantmanager.html", klantmanager_context, order=10)
register_panel("cohorts_signals_buddy", {Role.BUDDY}, "cohorts/_panel_buddy.html",
               buddy_context, order=10)
register_panel("cohorts_signals_intaker", {Role.INTAKER}, "cohorts/_panel_intaker.html",
               intaker_context, order=15)
register_panel("cohorts_waiting_coordinator", {Role.COORDINATOR},
               "cohorts/_panel_waiting.html", waiting_for_table, order=5)
register_panel("cohorts_signals_coordinator", {Role.COORDINATOR},
               "cohorts/_panel_coordinator.html", coordinator_context, order=10)
