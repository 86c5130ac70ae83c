"""Generated cohorts (``trajectory.demo.generator``): tables of 5-6 candidates of one
municipality who share consent for the overlegtafel, with the providers of their
learning lines at the table, an agreement per stage and, for older waves, the open
evaluation of the current quarter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from trajectory.candidates.models import CandidateStatus
from trajectory.cohorts.models import (
    Cohort,
    CohortAgreement,
    CohortCandidate,
    CohortCandidateStatus,
    CohortMunicipality,
    CohortProvider,
    Evaluation,
    quarter_label,
    quarter_start,
)
from trajectory.demo.generated_people import Person

T = {name: model.__table__ for name, model in {
    "cohort": Cohort, "municipality": CohortMunicipality, "provider": CohortProvider,
    "candidate": CohortCandidate, "agreement": CohortAgreement,
    "evaluation": Evaluation}.items()}
ORDER = [T[k] for k in ("cohort", "municipality", "provider", "candidate", "agreement",
                        "evaluation")]
SHARE = 0.35  # of the candidates who may sit at the table
MOTIVATIONS = ("Klaar voor een volgende stap richting werk.", "Wil graag in de zorg werken.",
               "Eerst stabiliseren, dan een plek.", "Zoekt een leerwerkplek dicht bij huis.")
SUPPORT = ("Buddy blijft betrokken", "Werkbegeleider op de vloer", None, None)


def cohorts(ctx, persons: list[Person]) -> None:
    rng, day = ctx.rng, ctx.day
    seated: dict[int, list[Person]] = {}
    for person in persons:
        if (person.status is not CandidateStatus.UITGESTROOMD
                and person.consent("overlegtafel", day) and rng.random() < SHARE):
            seated.setdefault(person.row["municipality_id"], []).append(person)
    coordinator = ctx.world.coordinator_id
    for municipality_id, group in seated.items():
        while len(group) >= 5:
            size = 6 if len(group) >= 6 and rng.random() < 0.5 else 5
            table, group = group[:size], group[size:]
            _cohort(ctx, municipality_id, table, coordinator)


def _cohort(ctx, municipality_id: int, table: list[Person], coordinator: int | None) -> None:
    rng, day = ctx.rng, ctx.day
    joined = min(max(p.registered for p in table) + timedelta(days=rng.randrange(7, 40)), day)
    start = quarter_start(joined)
    cohort_id = ctx.ids.take(T["cohort"])
    name = f"Groep {cohort_id} {quarter_label(start)}"
    ctx.add(T["cohort"], {"id": cohort_id, "name": name, "start_quarter": start,
                          "description": "Gegenereerde groep aan de overlegtafel.",
                          "created_at": ctx.moment(joined - timedelta(days=14), 10),
                          "created_by_id": coordinator})
    ctx.add(T["municipality"], {"cohort_id": cohort_id, "municipality_id": municipality_id})
    providers = sorted({p for person in table for p, _kind in person.stages})
    for extra in rng.sample(ctx.world.providers, 2):
        if extra not in providers:
            providers.append(extra)
    for provider in providers:
        ctx.add(T["provider"], {"cohort_id": cohort_id, "provider_id": provider})
    for index, person in enumerate(table):
        status = CohortCandidateStatus.ACCEPTED
        if index == len(table) - 1 and rng.random() < 0.3:
            status = rng.choice((CohortCandidateStatus.PROPOSED, CohortCandidateStatus.DECLINED))
        proposed_on = joined - timedelta(days=14 - index)
        row: dict[str, Any] = {
            "cohort_id": cohort_id, "candidate_id": person.id, "status": status,
            "motivation": rng.choice(MOTIVATIONS), "proposed_by_id": person.klantmanager_id,
            "proposed_on": proposed_on, "decided_by_id": None, "decided_on": None,
            "lock_version": 1}
        if status is not CohortCandidateStatus.PROPOSED:
            row.update(decided_by_id=coordinator, decided_on=joined)
        ctx.add(T["candidate"], row)
        if status is CohortCandidateStatus.ACCEPTED:
            for provider, kind in person.stages[:2]:
                ctx.add(T["agreement"], {
                    "cohort_id": cohort_id, "candidate_id": person.id, "provider_id": provider,
                    "stage_kind": kind, "support": rng.choice(SUPPORT),
                    "created_at": ctx.moment(joined, 11)})
    current = quarter_start(day)
    if start < current and rng.random() < 0.4:
        ctx.add(T["evaluation"], {
            "cohort_id": cohort_id, "quarter_start": current, "works": "", "obstacles": "",
            "energy": "", "yields": "", "closed_at": None, "closed_by_id": None,
            "created_at": ctx.moment(current, 9), "lock_version": 1})
