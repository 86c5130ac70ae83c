"""Generated candidates and their files: person, benefit history, plan with its
versions (goals, steps, barriers, trainings), buddies, participatieladder and ZRM.

Rows as ``trajectory.candidates.services`` would write them (see the module doc of
``trajectory.demo.generator``); dates relative to today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from trajectory.candidates.bsn import is_valid_bsn
from trajectory.candidates.models import (
    Barrier,
    BarrierCategory,
    Benefit,
    BenefitPeriod,
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Goal,
    GoalStatus,
    GoalStep,
    Measurement,
    MeasurementKind,
    OutflowReason,
    Plan,
    PlanVersion,
    Solvable,
    Training,
    TrainingStatus,
    ZrmDomain,
    ZrmScore,
)
from trajectory.candidates.names import fold, search_name
from trajectory.demo import generated_names as words
from trajectory.extensions import db

T = {name: model.__table__ for name, model in {
    "candidate": Candidate, "period": BenefitPeriod, "plan": Plan, "goal": Goal,
    "step": GoalStep, "barrier": Barrier, "training": Training, "version": PlanVersion,
    "assignment": BuddyAssignment, "measurement": Measurement, "zrm": ZrmScore}.items()}
ORDER = [T[k] for k in ("candidate", "period", "plan", "goal", "step", "barrier", "training",
                        "version", "assignment", "measurement", "zrm")]

BENEFITS = ((Benefit.PARTICIPATIEWET, 55), (Benefit.WW, 15), (Benefit.WAJONG, 10),
            (Benefit.WIA_WAO, 7), (Benefit.WSW, 3), (Benefit.NUG, 10))
OUTFLOW = ((OutflowReason.BETAALD_WERK, 50), (OutflowReason.OPLEIDING, 15),
           (OutflowReason.VERHUISD, 10), (OutflowReason.GESTOPT, 15), (OutflowReason.OVERIG, 10))
BSN_FIRST = 990_000_000   # the demo's own test numbers start at 999900000
BSN_LAST = 999_899_999


@dataclass
class Person:
    """One generated candidate: the row plus what the later steps need to know."""

    row: dict[str, Any]
    klantmanager_id: int
    registered: date
    closed: date | None
    status: CandidateStatus
    # (buddy user id, provider id, start, end or None), oldest first
    buddies: list[tuple[int, int, date, date | None]] = field(default_factory=list)
    stages: list[tuple[int, str]] = field(default_factory=list)  # (provider id, kind)

    @property
    def id(self) -> int:
        return self.row["id"]

    def consent(self, flag: str, day: date) -> bool:
        row = self.row
        return bool(row[f"consent_{flag}"] and row["consent_given_on"] is not None
                    and row["consent_given_on"] <= day
                    and (row["consent_expires_on"] is None or row["consent_expires_on"] >= day))


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def prepare(ctx) -> None:
    """The starting BSN (after any generated earlier) and the weighted lists."""
    top = db.session.scalar(sa.select(sa.func.max(Candidate.bsn)).where(
        Candidate.bsn >= str(BSN_FIRST), Candidate.bsn <= str(BSN_LAST)))
    ctx.extra["bsn"] = int(top) + 1 if top else BSN_FIRST
    names = list(words.MUNICIPALITY_WEIGHTS)
    ctx.extra["municipalities"] = ([(n, ctx.world.municipalities[n]) for n in names],
                                   [words.MUNICIPALITY_WEIGHTS[n] for n in names])
    world = ctx.world
    ctx.extra["buddies"] = ([(b, p) for b, p, _ in world.buddies], [w for _, _, w in world.buddies])


def _next_bsn(ctx) -> str | None:
    number = ctx.extra["bsn"]
    while number <= BSN_LAST and not is_valid_bsn(str(number)):
        number += 1
    if number > BSN_LAST:
        return None
    ctx.extra["bsn"] = number + 1
    return str(number)


def _days_ago(ctx, days: int) -> date:
    return ctx.day - timedelta(days=days)


def candidate(ctx) -> Person:
    """The person and the candidate row (status, consent, benefit mirror set later)."""
    rng = ctx.rng
    (places, weights) = ctx.extra["municipalities"]
    municipality, municipality_id = rng.choices(places, weights=weights)[0]
    klantmanager_id = rng.choice(ctx.world.klantmanagers[municipality_id])
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)
    tussen = rng.choice(words.TUSSENVOEGSELS) if rng.random() < 0.22 else None
    age = int(rng.triangular(18, 66, 32))
    born = _days_ago(ctx, age * 365 + rng.randrange(365))
    # More recent registrations than old ones: the region grows and files close.
    registered_ago = int(rng.triangular(3, 1500, 120))
    registered = _days_ago(ctx, registered_ago)
    postcode, place = rng.choice(words.PLACES[municipality])
    letters = "".join(rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
    cid = ctx.ids.take(T["candidate"])
    flags = {"nt2": rng.random() < 0.15, "statushouder": rng.random() < 0.08,
             "doelgroepregister": rng.random() < 0.12, "driving_licence": rng.random() < 0.45}
    flags["own_transport"] = flags["driving_licence"] and rng.random() < 0.7
    flags["nt2"] = flags["nt2"] or flags["statushouder"]
    status, closed = _status(ctx, registered)
    row = {
        "id": cid, "municipality_id": municipality_id, "klantmanager_id": klantmanager_id,
        "first_name": first, "tussenvoegsel": tussen, "last_name": last,
        "search_name": search_name(first, tussen, last), "date_of_birth": born,
        "phone": f"06 {rng.randrange(10_000_000, 99_999_999)}",
        "email": f"{fold(first)}.{fold(last)}{cid}@voorbeeld.nl".replace(" ", ""),
        "street": f"{rng.choice(words.STREETS)} {rng.randrange(1, 180)}",
        "postcode": f"{postcode} {letters}", "place": place,
        "bsn": _next_bsn(ctx) if rng.random() < 0.85 else None,
        "client_number": None, "status": status, "pause_reason": None, "outflow_reason": None,
        "outflow_note": None, "closed_on": closed,
        "registered_at": ctx.moment(registered, 9 + rng.randrange(8), rng.randrange(60)),
        **flags, **_consent(ctx, registered),
    }
    if status is CandidateStatus.GEPAUZEERD:
        row["pause_reason"] = rng.choice(("Ziek, verwacht terug over een maand",
                                          "Zorg voor een familielid", "Verhuizing"))
    elif status is CandidateStatus.UITGESTROOMD:
        reason = _pick(rng, OUTFLOW)
        row["outflow_reason"] = reason
        row["outflow_note"] = "Gestopt om persoonlijke redenen" if reason in (
            OutflowReason.OVERIG, OutflowReason.GESTOPT) else None
    person = Person(row=row, klantmanager_id=klantmanager_id, registered=registered,
                    closed=closed, status=status)
    _benefits(ctx, person, municipality)
    ctx.add(T["candidate"], row)
    return person


def _status(ctx, registered: date) -> tuple[CandidateStatus, date | None]:
    rng = ctx.rng
    age = (ctx.day - registered).days
    if age < 30:
        return (CandidateStatus.AANGEMELD if rng.random() < 0.6 else CandidateStatus.ACTIEF), None
    roll = rng.random()
    if roll < 0.04:
        return CandidateStatus.AANGEMELD, None
    if roll < 0.11:
        return CandidateStatus.GEPAUZEERD, None
    if roll < 0.11 + min(0.45, age / 2500):
        closed = registered + timedelta(days=rng.randrange(60, max(age, 61)))
        return CandidateStatus.UITGESTROOMD, min(closed, ctx.day)
    return CandidateStatus.ACTIEF, None


def _consent(ctx, registered: date) -> dict[str, Any]:
    rng = ctx.rng
    if rng.random() < 0.1:
        return {"consent_given_on": None, "consent_expires_on": None, "consent_providers": False,
                "consent_buddy": False, "consent_overlegtafel": False}
    # Given at registration, renewed every two years; a few run out within a month.
    given = registered
    while given + timedelta(days=730) < ctx.day:
        given += timedelta(days=730)
    expires = given + timedelta(days=730)
    if rng.random() < 0.04:
        expires = ctx.day + timedelta(days=rng.randrange(0, 30))
    return {"consent_given_on": given, "consent_expires_on": expires,
            "consent_providers": rng.random() < 0.95, "consent_buddy": rng.random() < 0.9,
            "consent_overlegtafel": rng.random() < 0.8}


def _benefits(ctx, person: Person, municipality: str) -> None:
    """The benefit history (trajectory.candidates.benefits): periods never overlap, the
    candidate's benefit and "since" mirror the latest one; NUG is no period."""
    rng, row = ctx.rng, person.row
    benefit = _pick(rng, BENEFITS)
    adult = row["date_of_birth"] + timedelta(days=18 * 366)
    since = max(person.registered - timedelta(days=int(rng.triangular(20, 3000, 400))), adult)
    since = min(since, person.registered)
    if benefit is Benefit.NUG:
        row.update(benefit=Benefit.NUG, benefit_since=since, client_number=None)
        return
    periods = []
    if benefit is Benefit.PARTICIPATIEWET and rng.random() < 0.25 and since > adult + timedelta(400):
        # WW first; Participatiewet from the day after it ran out.
        ww_start = since - timedelta(days=rng.randrange(180, 730))
        periods.append([Benefit.WW, max(ww_start, adult), since - timedelta(days=1)])
    periods.append([benefit, since, None])
    if person.status is CandidateStatus.UITGESTROOMD and rng.random() < 0.5:
        periods[-1][2] = max(person.closed - timedelta(days=1), since)
    for kind, start, end in periods:
        ctx.add(T["period"], {"candidate_id": person.id, "benefit": kind, "start": start,
                              "end": end, "created_at": ctx.moment(person.registered, 9)})
    code = municipality[:2].upper()
    row.update(benefit=periods[-1][0], benefit_since=periods[-1][1],
               client_number=f"{code}-{person.id:07d}")


# ------------------------------------------------------------------ the steps

def people(ctx, persons: list[Person]) -> None:
    for person in persons:
        _plan(ctx, person)
        _buddies(ctx, person)
        _ladder(ctx, person)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _plan(ctx, person: Person) -> None:
    """The plan in up to four versions, as ``plan_versions.record_save`` keeps them: the
    intake (texts, first goal, barriers), a week later the rest, after the agreement a
    step done (progress: still agreed) and sometimes a new step (a change of substance)."""
    rng, pid = ctx.rng, ctx.ids.take(T["plan"])
    km = person.klantmanager_id
    plan = {"id": pid, "candidate_id": person.id, "wishes": "", "skills": "", "needs": "",
            "agreements": "", "current_number": 0, "agreed_number": None,
            "substance_changed_at": None, "updated_at": None, "updated_by_id": None,
            "lock_version": 1}
    ctx.add(T["plan"], plan)
    if person.status is CandidateStatus.AANGEMELD and rng.random() < 0.5:
        return  # registered, plan not written yet
    first_day = min(person.registered + timedelta(days=rng.randrange(3, 20)), ctx.day)
    texts = {"wishes": rng.choice(words.WISHES), "skills": rng.choice(words.SKILLS),
             "needs": rng.choice(words.NEEDS), "agreements": rng.choice(words.AGREEMENTS)}
    goals, barriers, trainings = [], [], []
    for index in range(rng.choice((1, 1, 2, 2, 3))):
        target = first_day + timedelta(days=rng.randrange(30, 360))
        status = GoalStatus.BEHAALD if target < ctx.day and rng.random() < 0.6 else (
            GoalStatus.BEZIG if rng.random() < 0.6 else GoalStatus.OPEN)
        goal = ctx.add(T["goal"], {"plan_id": pid, "candidate_id": person.id,
                                   "description": rng.choice(words.GOALS),
                                   "target_date": target, "status": status})
        steps = []
        for _ in range(rng.randrange(0, 4)):
            text, who = rng.choice(words.STEPS)
            due = first_day + timedelta(days=rng.randrange(5, 120))
            steps.append(ctx.add(T["step"], {
                "goal_id": goal["id"], "candidate_id": person.id, "description": text,
                "who": who, "due_date": due, "done": due < ctx.day and rng.random() < 0.7}))
        goals.append((index, goal, steps))
    for category in rng.sample(list(BarrierCategory), rng.choice((0, 1, 1, 2, 3))):
        barriers.append(ctx.add(T["barrier"], {
            "plan_id": pid, "candidate_id": person.id, "category": category,
            "description": words.BARRIER_TEXTS[category.value], "severity": rng.randrange(1, 4),
            "solvable": rng.choice(list(Solvable)), "possible_despite": "Korte dagdelen werken",
            "taken_up_by": rng.choice(("Buddy", "Klantmanager", "Huisarts", "Kandidaat")),
            "status": rng.choice(("open", "in_behandeling", "in_behandeling", "opgelost"))}))
    for name, where in rng.sample(words.TRAININGS, rng.choice((0, 0, 1, 2))):
        start = first_day + timedelta(days=rng.randrange(0, 200))
        end = start + timedelta(days=rng.randrange(20, 300))
        status = (TrainingStatus.AFGEROND if end < ctx.day else TrainingStatus.BEZIG
                  if start <= ctx.day else TrainingStatus.GEPLAND)
        trainings.append(ctx.add(T["training"], {
            "plan_id": pid, "candidate_id": person.id, "name": name, "provider": where,
            "start_date": start, "end_date": end, "status": status,
            "certificate": status is TrainingStatus.AFGEROND and rng.random() < 0.7}))

    agreed = person.status is not CandidateStatus.AANGEMELD and rng.random() < 0.6
    # After the agreement a step added to the last goal: a change of substance.
    last_steps = goals[-1][2]
    extra_id = last_steps[-1]["id"] if agreed and last_steps and rng.random() < 0.2 else None

    # In the order the plan's relationships read them (what plan_text.snapshot sees).
    goals.sort(key=lambda entry: (entry[1]["target_date"], entry[1]["id"]))
    for _index, _goal, steps in goals:
        steps.sort(key=lambda s: (s["due_date"], s["id"]))
    trainings.sort(key=lambda t: (t["start_date"], t["id"]))

    def snap(goal_count: int, with_trainings: bool, progress: bool, extra: bool) -> dict[str, Any]:
        return {**texts, "goals": [{
            "id": g["id"], "description": g["description"], "target_date": _iso(g["target_date"]),
            "status": g["status"].value if progress else GoalStatus.OPEN.value, "steps": [
                {"id": s["id"], "description": s["description"], "who": s["who"],
                 "due_date": _iso(s["due_date"]), "done": s["done"] and progress}
                for s in steps if extra or s["id"] != extra_id]}
            for i, g, steps in goals if i < goal_count],
            "barriers": [{k: (v.value if hasattr(v, "value") else v) for k, v in b.items()
                          if k not in ("plan_id", "candidate_id")} for b in barriers],
            "trainings": [{
                "id": t["id"], "name": t["name"], "provider": t["provider"],
                "start_date": _iso(t["start_date"]), "end_date": _iso(t["end_date"]),
                "status": t["status"].value, "certificate": t["certificate"]}
                for t in trainings if with_trainings]}

    every = len(goals)
    sittings: list[tuple[date, str, dict[str, Any]]] = [
        (first_day, "texts,doelen:add" + (",belemmeringen:add" if barriers else ""),
         snap(1, False, False, False))]
    if every > 1 or trainings:
        sittings.append((min(first_day + timedelta(days=7), ctx.day),
                         "doelen:add" + (",opleidingen:add" if trainings else ""),
                         snap(every, True, False, False)))
    agreed_at = len(sittings)
    if agreed:
        sittings.append((min(sittings[-1][0] + timedelta(days=20), ctx.day), "stappen:edit",
                         snap(every, True, True, False)))
        if extra_id is not None:
            sittings.append((min(sittings[-1][0] + timedelta(days=25), ctx.day),
                             "stappen:add", snap(every, True, True, True)))
    else:
        sittings[-1] = (sittings[-1][0], sittings[-1][1], snap(every, True, True, True))
    for number, (day, summary, snapshot) in enumerate(sittings, start=1):
        at = ctx.moment(day, 10 + number)
        is_agreed = agreed and number == agreed_at
        ctx.add(T["version"], {
            "plan_id": pid, "candidate_id": person.id, "number": number, "author_id": km,
            "created_at": at, "updated_at": at, "save_count": 1 + rng.randrange(3),
            "summary": summary, "snapshot": snapshot,
            "agreed_on": min(day + timedelta(days=2), ctx.day) if is_agreed else None,
            "agreed_by_id": km if is_agreed else None})
    last_at = ctx.moment(sittings[-1][0], 10 + len(sittings))
    plan.update(texts, current_number=len(sittings), updated_by_id=km, updated_at=last_at,
                agreed_number=agreed_at if agreed else None,
                substance_changed_at=last_at if extra_id is not None else None)


def _buddies(ctx, person: Person) -> None:
    """Most active files have a buddy; some had an earlier one (one buddy on any day)."""
    rng = ctx.rng
    if person.status is CandidateStatus.AANGEMELD or rng.random() < 0.2:
        return
    buddies, weights = ctx.extra["buddies"]
    start = min(person.registered + timedelta(days=rng.randrange(5, 40)), ctx.day)
    chosen = rng.choices(buddies, weights=weights, k=2)
    spans = [(chosen[0], start)]
    if chosen[1] != chosen[0] and rng.random() < 0.15 and (ctx.day - start).days > 90:
        spans.append((chosen[1], start + timedelta(days=rng.randrange(45, (ctx.day - start).days))))
    for index, ((buddy_id, provider_id), begin) in enumerate(spans):
        end = spans[index + 1][1] - timedelta(days=1) if index + 1 < len(spans) else person.closed
        if end is not None and end < begin:
            continue
        ctx.add(T["assignment"], {
            "candidate_id": person.id, "buddy_id": buddy_id, "start_date": begin,
            "end_date": end, "contact_phone": f"06 {rng.randrange(10_000_000, 99_999_999)}",
            "created_at": ctx.moment(begin, 9)})
        person.buddies.append((buddy_id, provider_id, begin, end))


def _ladder(ctx, person: Person) -> None:
    """An intake measurement and reviews, the rung mostly rising; ZRM for some."""
    rng, km = ctx.rng, person.klantmanager_id
    if person.status is CandidateStatus.AANGEMELD and rng.random() < 0.7:
        return
    day = min(person.registered + timedelta(days=rng.randrange(1, 15)), ctx.day)
    last = min(person.closed or ctx.day, ctx.day)
    rung = rng.choices((1, 2, 3, 4), weights=(15, 40, 35, 10))[0]
    for index in range(rng.choice((1, 2, 2, 3, 4))):
        if day > last:
            break
        ctx.add(T["measurement"], {
            "candidate_id": person.id, "measured_on": day, "rung": rung,
            "kind": MeasurementKind.INTAKE if index == 0 else MeasurementKind.REVIEW,
            "assessor_id": km, "note": None, "created_at": ctx.moment(day, 14)})
        rung = min(6, max(1, rung + rng.choice((0, 1, 1, 1, -1))))
        day += timedelta(days=rng.randrange(60, 200))
    if rng.random() < 0.3:
        scored = min(person.registered + timedelta(days=20), last)
        for domain in rng.sample(list(ZrmDomain), rng.randrange(3, 6)):
            ctx.add(T["zrm"], {"candidate_id": person.id, "domain": domain,
                               "score": rng.randrange(1, 6), "scored_on": scored,
                               "assessor_id": km, "created_at": ctx.moment(scored, 15)})

