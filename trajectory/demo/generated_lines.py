"""Generated learning lines and buddy contact logs (``trajectory.demo.generator``).

A line is 1-4 stages at the demo providers along a sensible path (intake, then a
werkervaringsplaats, a BBL place, a paid job ...), proposed by the klantmanager,
answered by the provider's intaker, with the dates, statuses and outcomes
``trajectory.stages.services`` records (the kinds' fields from ``trajectory.stages.kinds``).
Contacts are logged by the buddy of the day, only with consent for the buddy.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from trajectory.candidates.models import CandidateStatus, OutflowReason
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.demo import generated_names as words
from trajectory.demo.generated_people import Person
from trajectory.stages.kinds import OUTCOME_FIELDS
from trajectory.stages.models import CareChoice, ContractType, Stage, StageKind, StageStatus

STAGE = Stage.__table__
CONTACT = ContactLog.__table__
ORDER = [STAGE, CONTACT]
K = StageKind

# Paths a learning line follows; a line is the first 1-4 stages of one.
PATHS = (
    ((K.INTAKE, K.WERKERVARINGSPLAATS, K.BBL, K.PAID_JOB), 30),
    ((K.INTAKE, K.COACHING, K.WERKERVARINGSPLAATS, K.PAID_JOB), 20),
    ((K.INTAKE, K.WERKERVARINGSPLAATS, K.PAID_JOB), 15),
    ((K.INTAKE, K.ADDITIONAL_PROJECT, K.WERKERVARINGSPLAATS, K.BOL), 10),
    ((K.INTAKE, K.BOL, K.PAID_JOB), 8),
    ((K.COACHING, K.WERKERVARINGSPLAATS, K.PAID_JOB), 10),
    ((K.VSO_INTERNSHIP, K.VSO_WORKPLACE), 7),
)
# Days a kind usually runs (low, high); None: open-ended is possible.
DURATION = {K.INTAKE: (5, 15), K.COACHING: (60, 180), K.WERKERVARINGSPLAATS: (91, 91),
            K.BBL: (300, 700), K.BOL: (150, 400), K.VSO_INTERNSHIP: (40, 120),
            K.VSO_WORKPLACE: (180, 365), K.PAID_JOB: (180, 365),
            K.ADDITIONAL_PROJECT: (60, 180)}
DECISIONS = ("Door naar een BBL-plaats bij dezelfde aanbieder.",
             "Door naar een betaalde baan; de werkgever biedt een contract.",
             "Nog drie maanden verlengen om het werkritme vast te houden.")


def _plan_fields(rng, kind: StageKind) -> dict[str, Any]:
    values: dict[str, Any] = {"level": None, "hours_per_week": None, "permanent": False,
                              "job_title": None, "hours": None}
    if kind in (K.INTAKE,):
        values["hours"] = Decimal(rng.randrange(3, 9))
    elif kind in (K.COACHING, K.ADDITIONAL_PROJECT):
        values["hours"] = Decimal(rng.randrange(12, 61))
    elif kind in (K.BBL, K.BOL):
        values["level"] = rng.choices((1, 2, 3, 4), weights=(15, 50, 25, 10))[0]
        values["hours_per_week"] = Decimal(rng.choice((24, 28, 32)))
    elif kind is K.PAID_JOB:
        values["job_title"] = rng.choice(words.JOB_TITLES)
        values["hours_per_week"] = Decimal(rng.choice((12, 16, 20, 24, 28, 32, 36)))
        values["permanent"] = rng.random() < 0.4
    else:
        values["hours_per_week"] = Decimal(rng.choice((16, 20, 24, 32)))
    return values


def _outcome(rng, kind: StageKind, row: dict[str, Any]) -> dict[str, Any]:
    """The outcome fields of the kind (the others stay empty), as ``record_outcome``."""
    values: dict[str, Any] = dict.fromkeys(OUTCOME_FIELDS)
    end = row["actual_end"] or row["planned_end"] or row["actual_start"]
    if kind is K.INTAKE:
        values["suitable_for_care"] = rng.random() < 0.75
        if values["suitable_for_care"]:
            values["suitable_level"] = rng.choice((1, 2, 2, 3))
            values["suitable_function"] = rng.choice(words.JOB_TITLES)
    elif kind is K.WERKERVARINGSPLAATS:
        values["next_step_decision"] = rng.choice(DECISIONS)
        values["next_step_decided_on"] = end - timedelta(days=rng.randrange(0, 10))
    elif kind in (K.BBL, K.BOL):
        values["diploma"] = rng.random() < 0.75
    elif kind is K.PAID_JOB:
        values["contract_type"] = (ContractType.PERMANENT if row["permanent"] else
                                   rng.choice((ContractType.TEMPORARY, ContractType.ON_CALL)))
        values["contract_hours"] = row["hours_per_week"]
        values["contract_start"] = row["actual_start"]
    values["outcome_note"] = rng.choice(("Gaat goed, gemotiveerd.", "Werkritme is stabiel.",
                                         "Afgerond volgens plan.", None))
    return values


def stages(ctx, persons: list[Person]) -> None:
    for person in persons:
        _line(ctx, person)


def _line(ctx, person: Person) -> None:
    rng, day, world = ctx.rng, ctx.day, ctx.world
    if person.status is CandidateStatus.AANGEMELD and rng.random() < 0.6:
        return
    path = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
    length = min(len(path), rng.choices((1, 2, 3, 4), weights=(30, 30, 22, 18))[0])
    provider = rng.choice(world.providers)
    cursor = person.registered + timedelta(days=rng.randrange(10, 45))
    if person.status is CandidateStatus.AANGEMELD:  # only registered: one stage, to come
        length, cursor = 1, max(cursor, day + timedelta(days=rng.randrange(3, 30)))
    end_of_file = person.closed
    previous: dict[str, Any] | None = None
    km = person.klantmanager_id
    for index, kind in enumerate(path[:length]):
        if end_of_file is not None and cursor >= end_of_file:
            break
        if index and rng.random() < 0.35:
            provider = rng.choice(world.providers)
        proposed = max(cursor - timedelta(days=rng.randrange(5, 21)), person.registered)
        proposed = min(proposed, day)
        low, high = DURATION[kind]
        planned_end: date | None = cursor + timedelta(days=rng.randrange(low, high + 1) - 1)
        fields = _plan_fields(rng, kind)
        if kind is K.PAID_JOB and fields["permanent"]:
            planned_end = None
        intaker = rng.choice(world.intakers[provider])
        row: dict[str, Any] = {
            "candidate_id": person.id, "provider_id": provider, "kind": kind,
            "status": StageStatus.VOORGESTELD, "responsible_user_id": None,
            "responsible_name": None, "planned_start": cursor, "planned_end": planned_end,
            "actual_start": None, "actual_end": None, "end_reason": None, "note": None,
            "proposed_by_id": km, "proposed_at": ctx.moment(proposed, 9, 30),
            "answer_due": proposed + timedelta(days=14), "answered_by_id": None,
            "answered_at": None, "decline_reason": None, **fields,
            **dict.fromkeys(OUTCOME_FIELDS), "outcome_recorded_at": None,
            "outcome_recorded_by_id": None, "outcome_handled_at": None,
            "outcome_handled_by_id": None, "care_client": False, "care_choice": None,
            "care_reason": None, "care_decided_by_id": None, "care_decided_at": None,
            "previous_stage_id": previous["id"] if previous else None, "via_transfer": False,
            "offer_item_id": None, "vacancy_id": None,
            "created_at": ctx.moment(proposed, 9, 30), "updated_at": ctx.moment(proposed, 9, 30),
            "version": 1}
        if rng.random() < 0.03:
            choice = rng.choice((CareChoice.SOCIALE_RETURN, CareChoice.ZORG))
            row.update(care_client=True, care_choice=choice, care_decided_by_id=km,
                       care_decided_at=ctx.moment(proposed, 11),
                       care_reason="Ook zorgcliënt bij deze aanbieder; keuze vastgelegd.")
        ctx.add(STAGE, row)
        person.stages.append((provider, kind.value))
        answered = min(proposed + timedelta(days=rng.randrange(1, 10)), day)
        if cursor > day or (proposed >= day - timedelta(days=14) and rng.random() < 0.3):
            # Not started yet: waiting for the answer (sometimes overdue) or planned.
            if rng.random() < 0.5 or answered >= day:
                if rng.random() < 0.2:
                    row["answer_due"] = day - timedelta(days=rng.randrange(1, 6))
                row["updated_at"] = row["proposed_at"]
            else:
                _accept(ctx, row, intaker, answered, provider)
            break
        if rng.random() < 0.05:
            row.update(status=StageStatus.AFGEWEZEN, answered_by_id=intaker,
                       answered_at=ctx.moment(answered, 14),
                       decline_reason="Geen plek in de gevraagde periode.",
                       updated_at=ctx.moment(answered, 14))
            cursor = answered + timedelta(days=7)
            continue
        _accept(ctx, row, intaker, answered, provider)
        row["actual_start"] = cursor
        row["status"] = StageStatus.LOPEND
        stop = min(end_of_file or date.max, day)
        ends = planned_end is not None and planned_end < stop
        closes = end_of_file is not None and (planned_end is None or planned_end >= end_of_file)
        keeps_job = (kind is K.PAID_JOB and person.row["outflow_reason"]
                     is OutflowReason.BETAALD_WERK)
        if ends or (closes and not keeps_job):
            broken = rng.random() < 0.12 or (closes and not ends)
            finish = planned_end if ends else end_of_file
            if broken and ends:
                finish = cursor + timedelta(days=rng.randrange(0, max((planned_end - cursor).days, 1)))
            row.update(status=StageStatus.AFGEBROKEN if broken else StageStatus.AFGEROND,
                       actual_end=finish,
                       end_reason="Gestopt op eigen verzoek." if broken else None,
                       updated_at=ctx.moment(finish, 16))
        if row["status"] is not StageStatus.AFGEBROKEN and (
                row["status"] is StageStatus.AFGEROND or kind in (K.PAID_JOB, K.WERKERVARINGSPLAATS)
                and rng.random() < 0.5) and rng.random() < 0.9:
            row.update(_outcome(rng, kind, row))
            recorded = min(row["actual_end"] or day, day)
            row.update(outcome_recorded_at=ctx.moment(recorded, 15), outcome_recorded_by_id=intaker)
            if index + 1 < length or rng.random() < 0.7:
                row.update(outcome_handled_at=ctx.moment(min(recorded + timedelta(days=2), day), 10),
                           outcome_handled_by_id=km)
        previous = row
        if row["status"] is StageStatus.LOPEND:
            break
        cursor = (row["actual_end"] or cursor) + timedelta(days=rng.randrange(1, 30))
        if cursor > day + timedelta(days=30):
            break


def _accept(ctx, row: dict[str, Any], intaker: int, answered: date, provider: int) -> None:
    rng = ctx.rng
    responsible = intaker
    colleagues = [b for b, p, _ in ctx.world.buddies if p == provider]
    if colleagues and rng.random() < 0.4:
        responsible = rng.choice(colleagues)
    row.update(status=StageStatus.GEPLAND, answered_by_id=intaker,
               answered_at=ctx.moment(answered, 14), responsible_user_id=responsible,
               updated_at=ctx.moment(answered, 14))


# ------------------------------------------------------------------ contacts

KINDS = ((ContactKind.GESPREK, 35), (ContactKind.TELEFOON, 25), (ContactKind.APP, 25),
         (ContactKind.HUISBEZOEK, 8), (ContactKind.GEEN_CONTACT, 7))


def contacts(ctx, persons: list[Person]) -> None:
    """About ten contacts per person with a buddy, the newest first, every few days to
    weeks; a few with a signal for the klantmanager, most of those handled."""
    rng, day = ctx.rng, ctx.day
    for person in persons:
        if not person.buddies or not person.consent("buddy", day):
            continue
        budget = rng.randrange(8, 17)
        for buddy_id, _provider, start, end in reversed(person.buddies):
            when = min(end or day, day) - timedelta(days=rng.randrange(0, 20))
            while budget and when >= start:
                _contact(ctx, person, buddy_id, when)
                budget -= 1
                when -= timedelta(days=rng.randrange(4, 19))


def _contact(ctx, person: Person, buddy_id: int, when: date) -> None:
    rng = ctx.rng
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    reached = kind is not ContactKind.GEEN_CONTACT
    row: dict[str, Any] = {
        "candidate_id": person.id, "buddy_id": buddy_id, "contact_on": when, "kind": kind,
        "note": rng.choice(words.CONTACT_NOTES) if reached else "Niet bereikt, ingesproken.",
        "wellbeing": rng.choices((1, 2, 3, 4, 5), weights=(5, 15, 35, 35, 10))[0] if reached
        else None,
        "signal_category": None, "signal_text": None, "signal_handled_at": None,
        "signal_handled_by_id": None, "signal_handled_note": None,
        "created_at": ctx.moment(when, 11 + rng.randrange(7), rng.randrange(60))}
    if reached and rng.random() < 0.07:
        category = rng.choice(list(SignalCategory))
        row.update(signal_category=category, signal_text=words.SIGNAL_TEXTS[category.value])
        if (ctx.day - when).days > 3 and rng.random() < 0.7:
            handled = when + timedelta(days=rng.randrange(1, 4))
            row.update(signal_handled_at=ctx.moment(handled, 15),
                       signal_handled_by_id=person.klantmanager_id,
                       signal_handled_note="Gebeld en afspraak gemaakt.")
    ctx.add(CONTACT, row)
