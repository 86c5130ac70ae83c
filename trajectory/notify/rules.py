"""Every kind of e-mail, defined once: key, who gets it, when, its text and its link.

Each finder reuses the rule of the page that shows the same work, never a second
reading of it: the task lists (``trajectory.stages.tasks.SECTIONS``), the signals and
their thresholds (``trajectory.cohorts.signals``), the yearly cycle
(``trajectory.valuation.services.cycle``), the coordinator's waiting work
(``trajectory.cohorts.panels``). A finder gets the recipients that may have it (active,
with an address, the kind not switched off) and yields a ``Notice`` per message: its
unique key (the outbox's guard against sending twice), the recipient, the page and the
values of the text. The text holds the recipient's first name and the link, nothing
about a candidate (docs/notifications.md). A task or signal is mailed while it is fresh
(``FRESH_DAYS``): an older backlog is on the home page and in the digest, not a flood.

| key | to | when |
| --- | --- | --- |
| task_answer | the provider's intakers | a stage proposed to the provider waits for its answer |
| task_handover | the candidate's klantmanager | an intake outcome or a work-experience decision waits (hand-over) |
| task_plan | the candidate's klantmanager | the plan is not agreed N days after registration (signal) |
| digest | who opted in | daily or weekly: the counts of their signals, when any |
| buddy_nudge | the buddy | no contact for N days (signal geen_contact) |
| cycle | the provider's intakers | forecast, actual figures, plan of approach: N days before and on the due date |
| consent_ending | the candidate's klantmanager | consent ends within N days (signal) |
| claim_judged | the provider's intakers | a claim approved or rejected (the last 7 days) |
| evaluation_ready | coordinators | a quarterly evaluation has its four answers: close it at the table |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import BuddyAssignment, Candidate
from trajectory.candidates.need_to_know import role_scope
from trajectory.extensions import db
from trajectory.i18n import day as format_day
from trajectory.timeutil import AMSTERDAM

KM, INTAKER, BUDDY, COORDINATOR = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY,
                                   Role.COORDINATOR)
# An occasion is mailed while it is fresh: a task that arose, a signal that tripped, a claim
# judged within the last FRESH_DAYS. An older backlog (switching e-mail on, a long-open
# task) stays on the home page and in the digest instead of arriving as a flood of mails.
FRESH_DAYS = 7
CLAIM_LOOKBACK_DAYS = FRESH_DAYS


@dataclass(frozen=True)
class Notice:
    """One message to send: ``values`` are the text's placeholders (callables are called
    in the recipient's language)."""

    key: str
    user: User
    path: str
    values: dict[str, Any] = field(default_factory=dict)


Finder = Callable[[list[User], date, datetime], Iterable[Notice]]


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any          # the account page's choice
    when: Any           # the account page's explanation
    roles: frozenset[Role]
    subject: Any
    text: Any           # the sentence between the greeting and the link
    find: Finder
    opt_in: bool = False  # the digest: chosen on the account page, off by default


# ------------------------------------------------------------------ tasks (the task lists)

def _stamp(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0


def _section_notices(users: list[User], day: date, keys: tuple[str, ...], mine: bool
                     ) -> Iterator[Notice]:
    """The stages of the task list's sections ``keys`` for each user (their worklist
    scope, and with ``mine`` only the candidates they are the klantmanager of), linked to
    the page and field the task list links to."""
    from trajectory.stages.models import Stage
    from trajectory.stages.scope import is_intaker_of
    from trajectory.stages.tasks import SECTION_KEYS, worklist_scope

    for user in users:
        for key in keys:
            section = SECTION_KEYS[key]
            if not user.has_role(*section.roles):
                continue
            where = [worklist_scope(user), section.condition(day)]
            if mine:
                where.append(Candidate.klantmanager_id == user.id)
            since = fresh_since(day)
            where.append((Stage.proposed_at if key == "to_answer"
                          else Stage.outcome_recorded_at) >= since)
            stages = db.session.scalars(
                sa.select(Stage).join(Stage.candidate).where(*where)
                .options(so.contains_eager(Stage.candidate), so.joinedload(Stage.provider))
                .order_by(Stage.id))
            for stage in stages:
                runs = is_intaker_of(user, stage)
                action = section.action(stage, runs)
                moment = stage.proposed_at if key == "to_answer" else stage.outcome_recorded_at
                # The task's line again in the recipient's language (the link is the same).
                text = lambda section=section, stage=stage, runs=runs: (  # noqa: E731
                    section.action(stage, runs).text.rstrip("."))
                yield Notice(f"{key}:{stage.id}:{_stamp(moment)}:{user.id}", user, action.url,
                             {"action": text})


def _answers(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    return _section_notices([u for u in users if u.has_role(INTAKER)], day, ("to_answer",),
                            mine=False)


def _handovers(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    return _section_notices(users, day, ("intake_outcome", "wep_decision"), mine=True)


# ------------------------------------------------------------------ signals

def fresh_since(day: date) -> datetime:
    """The start of the fresh window, as a moment (midnight in the Netherlands)."""
    from trajectory.cohorts.signals import start_of_day

    return start_of_day(day - timedelta(days=FRESH_DAYS))


def _signal_notices(signal_key: str, prefix: str, users: list[User], day: date,
                    scope: Callable[[User], sa.ColumnElement[bool]],
                    path: Callable[[Any], str],
                    tripped: Callable[[date, int], date]) -> Iterator[Notice]:
    """One message per hit of the signal in each user's ``scope`` that tripped within the
    fresh window (``tripped(hit.day, threshold)``: the day it began to show), keyed by the
    day the signal is about (a renewed consent, a new contact: a new message later)."""
    from trajectory.cohorts.signals import BY_KEY

    signal = BY_KEY[signal_key]
    if not signal.available:
        return
    days = signal.threshold() or 0
    for user in users:
        for hit in signal.hits(scope(user), day):
            if hit.day is None or (day - tripped(hit.day, days)).days > FRESH_DAYS:
                continue
            yield Notice(f"{prefix}:{hit.candidate_id}:{hit.day}:{user.id}", user, path(hit),
                         {"days": signal.threshold()})


def _own_candidates(user: User) -> sa.ColumnElement[bool]:
    """The klantmanager's own candidates, in the scope of that role."""
    return sa.and_(Candidate.klantmanager_id == user.id, role_scope(user, KM))


def _buddy_candidates(user: User) -> sa.ColumnElement[bool]:
    """The buddy's own candidates, as the signal's buddy scope reads them."""
    theirs = sa.select(BuddyAssignment.candidate_id).where(BuddyAssignment.buddy_id == user.id)
    return sa.and_(Candidate.id.in_(theirs), role_scope(user, BUDDY))


def _plans(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    return _signal_notices("plan_niet_vastgesteld", "plan", users, day, _own_candidates,
                           lambda hit: url_for("candidates.plan",
                                               candidate_id=hit.candidate_id),
                           lambda registered, days: registered + timedelta(days=days))


def _consents(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    return _signal_notices("toestemming_verloopt", "consent", users, day, _own_candidates,
                           lambda hit: url_for("candidates.edit", candidate_id=hit.candidate_id,
                                               _anchor="consent_expires_on"),
                           lambda ends, days: ends - timedelta(days=days))


def _nudges(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    return _signal_notices("geen_contact", "nudge", users, day, _buddy_candidates,
                           lambda hit: url_for("contacts.new", candidate_id=hit.candidate_id),
                           lambda last, days: last + timedelta(days=days))


def digest_key(user: User, frequency: str, day: date) -> str:
    if frequency == "weekly":
        year, week, _weekday = day.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}:{user.id}"
    return f"digest:daily:{day.isoformat()}:{user.id}"


def _digests(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    """Each opted-in user's signal counts (the home panel's numbers, one query per user),
    from the configured hour on (Dutch time), once a day or once an ISO week; nothing when
    every count is 0."""
    from trajectory.cohorts.signals import counts, signal_scope, signals_seen_by
    from trajectory.notify.services import preferences

    if now.astimezone(AMSTERDAM).hour < current_app.config["NOTIFY_DIGEST_HOUR"]:
        return
    chosen = preferences([user.id for user in users])
    for user in users:
        frequency = chosen[user.id].digest if user.id in chosen else "off"
        if frequency == "off":
            continue
        seen = [signal for signal in signals_seen_by(user) if signal.available]
        totals = counts(seen, signal_scope(user), day)
        shown = [(signal, totals[signal.key]) for signal in seen if totals[signal.key]]
        if not shown:
            continue
        lines = lambda shown=shown: "\n".join(  # noqa: E731 - text in the recipient's language
            f"- {signal.label}: {number}" for signal, number in shown)
        yield Notice(digest_key(user, frequency, day), user, url_for("cohorts.signals"),
                     {"lines": lines, "total": sum(number for _s, number in shown)})


# ------------------------------------------------------------------ the yearly cycle

CYCLE_WHAT = {
    "forecast": _l("The revenue forecast for %(year)d"),
    "actual": _l("The actual revenue of %(year)d"),
    "plan": _l("The plan of approach"),
}


def _cycle(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    """The provider's dues of the yearly cycle (``valuation.services.cycle``: forecast,
    actual; not the adviser's review) and the plan of approach, which is due at the
    contract's start while none is attached: N days before the due date and on it."""
    from trajectory.valuation.models import Contract
    from trajectory.valuation.services import cycle

    before = current_app.config["NOTIFY_CYCLE_DAYS_BEFORE"]
    for user in users:
        if not user.has_role(INTAKER):
            continue
        contracts = db.session.scalars(
            sa.select(Contract).where(Contract.provider_id == user.organisation_id)
            .options(so.selectinload(Contract.years), so.selectinload(Contract.evidence))
            .order_by(Contract.id))
        for contract in contracts:
            dues = [(due.what, due.row.year, due.due, url_for(
                        "valuation.edit_year", contract_id=contract.id, year=due.row.year))
                    for row in contract.years for due in cycle(row, day)
                    if due.what in ("forecast", "actual") and due.state != "done"]
            if contract.plan is None:
                dues.append(("plan", 0, contract.start,
                             url_for("valuation.upload_plan", contract_id=contract.id)))
            for what, year, due_on, path in dues:
                moment = "on" if day == due_on else (
                    "before" if due_on - timedelta(days=before) <= day < due_on else None)
                if moment is None:
                    continue
                yield Notice(f"cycle:{what}:{contract.id}:{year}:{moment}:{user.id}", user,
                             path, {"what": lambda what=what, year=year:
                                    str(CYCLE_WHAT[what]) % {"year": year},
                                    "contract": contract.name,
                                    "date": lambda due_on=due_on: format_day(due_on)})


# ------------------------------------------------------------------ claims and the table

def _claims(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    """A claim of the provider approved or rejected (since ``CLAIM_LOOKBACK_DAYS``)."""
    from trajectory.valuation.models import Claim, ClaimStatus, Contract

    for user in users:
        if not user.has_role(INTAKER):
            continue
        claims = db.session.scalars(
            sa.select(Claim).join(Claim.contract)
            .where(Contract.provider_id == user.organisation_id,
                   Claim.status.in_((ClaimStatus.APPROVED, ClaimStatus.REJECTED)),
                   Claim.judged_at >= now - timedelta(days=CLAIM_LOOKBACK_DAYS))
            .options(so.contains_eager(Claim.contract)).order_by(Claim.id))
        for claim in claims:
            yield Notice(f"claim:{claim.id}:{_stamp(claim.judged_at)}:{user.id}", user,
                         url_for("valuation.claim", claim_id=claim.id),
                         {"status": lambda claim=claim: claim.status.label,
                          "contract": claim.contract.name})


def _evaluations(users: list[User], day: date, now: datetime) -> Iterable[Notice]:
    """The coordinator's open evaluations whose next step on the home panel is "close the
    evaluation" (all four questions answered): ready for the table."""
    from trajectory.cohorts.models import Evaluation
    from trajectory.cohorts.panels import _evaluation, _open_evaluation_condition

    for user in users:
        if not user.has_role(COORDINATOR):
            continue
        evaluations = db.session.scalars(
            sa.select(Evaluation).where(_open_evaluation_condition(user))
            .options(so.joinedload(Evaluation.cohort)).order_by(Evaluation.id))
        for evaluation in evaluations:
            waiting = _evaluation(evaluation)
            close = url_for("cohorts.evaluation_close", cohort_id=evaluation.cohort_id,
                            evaluation_id=evaluation.id)
            if waiting.url != close:
                continue
            yield Notice(f"evaluation:{evaluation.id}:{user.id}", user, close,
                         {"cohort": evaluation.cohort.name,
                          "quarter": lambda e=evaluation: e.quarter_label})


KINDS: tuple[Kind, ...] = (
    Kind("task_answer", _l("A proposal for your organisation to answer"),
         _l("When a stage is proposed to your organisation."),
         frozenset({INTAKER}), _l("A proposal waits for your answer"),
         _l("A stage has been proposed to your organisation. What to do: %(action)s."),
         _answers),
    Kind("task_handover", _l("A hand-over for you"),
         _l("When a provider recorded an intake outcome or a decision on the next step for "
            "one of your candidates."),
         frozenset({KM}), _l("A hand-over waits for you"),
         _l("A provider recorded an outcome for one of your candidates. What to do: "
            "%(action)s."),
         _handovers),
    Kind("task_plan", _l("A plan to agree"),
         _l("When the plan of one of your candidates is not agreed in time."),
         frozenset({KM}), _l("A plan waits to be agreed"),
         _l("The plan of one of your candidates has not been agreed %(days)d days after "
            "registration."),
         _plans),
    Kind("digest", _l("Digest of your signals"),
         _l("The number of open signals in your work, when there are any."),
         frozenset({KM, INTAKER, BUDDY, COORDINATOR}), _l("Your signals"),
         _l("These signals are open in your work:\n%(lines)s"),
         _digests, opt_in=True),
    Kind("buddy_nudge", _l("No contact for a while"),
         _l("When you have had no contact with one of your candidates for the number of "
            "days of the signal."),
         frozenset({BUDDY}), _l("Time to get in touch"),
         _l("You have had no contact with one of your candidates for %(days)d days or more."),
         _nudges),
    Kind("cycle", _l("The yearly Social Return cycle"),
         _l("Before and on the date the revenue forecast, the actual revenue or the plan of "
            "approach is due."),
         frozenset({INTAKER}), _l("Due on %(date)s: %(what)s"),
         _l("%(what)s for the contract %(contract)s is due on %(date)s."),
         _cycle),
    Kind("consent_ending", _l("Consent ending"),
         _l("When the consent of one of your candidates ends soon."),
         frozenset({KM}), _l("A consent ends soon"),
         _l("The consent of one of your candidates ends within %(days)d days or has ended."),
         _consents),
    Kind("claim_judged", _l("A claim judged"),
         _l("When the SROI adviser approved or rejected a claim of your organisation."),
         frozenset({INTAKER}), _l("A claim has been judged"),
         _l("A claim on the contract %(contract)s has been judged: %(status)s."),
         _claims),
    Kind("evaluation_ready", _l("An evaluation ready for the table"),
         _l("When the four questions of a quarterly evaluation are answered."),
         frozenset({COORDINATOR}), _l("An evaluation is ready for the table"),
         _l("The evaluation %(quarter)s of %(cohort)s has its four answers and can be closed "
            "at the table."),
         _evaluations),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def kinds_for(user: Any) -> list[Kind]:
    return [kind for kind in KINDS if kind.roles & user.roles]


def first_name(user: User) -> str:
    return (user.full_name or user.username).split()[0]


def render(kind: Kind, notice: Notice, link: str, choices: str) -> tuple[str, str]:
    """Subject and body in the current (the recipient's) language."""
    values = {name: value() if callable(value) else value
              for name, value in notice.values.items()}
    subject = str(kind.subject) % values if "%(" in str(kind.subject) else str(kind.subject)
    body = "\n\n".join((
        _("Hello %(name)s,", name=first_name(notice.user)),
        str(kind.text) % values,
        link,
        _("The details are behind the login. You receive this e-mail because of your work "
          "in Trajectory; change what you receive at %(choices)s", choices=choices),
    ))
    return subject, body + "\n"
