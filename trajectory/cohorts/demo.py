"""Demo cohorts: the March and June waves, with the demo candidates at the table, the
providers, who does what, and one closed quarterly evaluation (K2 of the March wave)
with answers to the four questions and two decisions with an owner.

Runs after the candidates', contact logs', providers', stages', valuation's and labour
lines' demo steps (imported first below), so the figures, the closed snapshot too,
come from their data. Dates are
relative to today; every name and text is invented.
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import date, timedelta

import sqlalchemy as sa

import trajectory.contacts.demo  # noqa: F401 - registers its step (and the candidates') first
from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.cohorts import loader
from trajectory.cohorts.evaluation import compute
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
    next_quarter,
    quarter_start,
)
from trajectory.demo.data import PROVIDERS, register_demo_step
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today, utcnow

for _module in ("trajectory.valuation.demo", "trajectory.providers.demo",
                "trajectory.stages.demo", "trajectory.labour.demo"):
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module)  # their steps come before this one

SCHELDEZOOM, BEVELANDEN, ZEEUWSE_STROOM, OOSTERSCHELDE, THOLEN_SCHOUWEN, ZEELAND_OOST = PROVIDERS

# name, days before today the wave's candidates came to the table, municipalities,
# providers, [(candidate, proposed by, motivation, [(provider, stage kind, support)])],
# proposals still waiting
WAVES = [
    ("Maartgolf", 259, ("Goes", "Tholen", "Borsele"),
     (SCHELDEZOOM, BEVELANDEN, ZEEUWSE_STROOM, OOSTERSCHELDE, THOLEN_SCHOUWEN), [
         ("Fatma Yıldız", "klantmanager", "Wil na de BBL een vaste baan in de thuiszorg.",
          [(ZEEUWSE_STROOM, "bbl", None), (ZEEUWSE_STROOM, "paid_job", None),
           (BEVELANDEN, "coaching", "Kees blijft haar buddy")]),
         ("Jeroen Berg", "klantmanager", "Terug naar vast werk na zijn ontslag.",
          [(SCHELDEZOOM, "werkervaringsplaats", None)]),
         ("Lisa Verburg", "klantmanager", "Klaar voor de keuken van een zorgcentrum.",
          [(OOSTERSCHELDE, "werkervaringsplaats", None)]),
         ("Maria Koole", "klantmanager2", "Wil werken in de huishouding bij ouderen thuis.",
          [(OOSTERSCHELDE, "werkervaringsplaats", None),
           (THOLEN_SCHOUWEN, None, "Plek dicht bij huis, zonder rijbewijs bereikbaar")]),
         ("Rachid Benali", "klantmanager2", "Gastheer in een zorghotel, twintig uur.",
          [(ZEEUWSE_STROOM, "bol", None)]),
         ("Dirk Jonge", "m.devos", "Chauffeur: Code 95 is bijna rond.",
          [(SCHELDEZOOM, None, "Werkgever zoeken voor vervoer van cliënten")]),
     ], []),
    ("Junigolf", 165, ("Goes", "Borsele", "Schouwen-Duiveland"),
     (SCHELDEZOOM, BEVELANDEN, OOSTERSCHELDE, THOLEN_SCHOUWEN, ZEELAND_OOST), [
         ("Samira Idrissi", "m.devos", "Eerst rust en grip op geld, dan de thuiszorg.",
          [(BEVELANDEN, "coaching", "Schuldhulpmaatje")]),
         ("Mohammed Aziz", "klantmanager", "Verpleegkundige in Syrië; diploma laten waarderen.",
          [(SCHELDEZOOM, "intake", None)]),
         ("Petra Sinke", "r.louwerse", "Wil in de schoonmaak van het ziekenhuis werken.",
          [(BEVELANDEN, "additional_project", "Taalcafé NT2 voor werk")]),
         ("Erik Hoogstrate", "h.meijer", "Technische dienst, na de taakstraf.",
          [(THOLEN_SCHOUWEN, None, "BBL-plek technische dienst zoeken"),
           (ZEELAND_OOST, None, "Begeleid wonen tijdens de start")]),
         ("Tim Heijboer", "klantmanager", "Jong, wil monteur worden; open dag bezocht.",
          [(OOSTERSCHELDE, "intake", None)]),
     ], [("Anouk Bakker", "klantmanager",
          "Na haar herstel in februari: kinderopvang, eerst een proefplaatsing.")]),
]

ANSWERS = {
    "works": "Ja. Vier van de zes kandidaten hebben een vaste plek in hun leerlijn en Fatma "
             "heeft haar diploma gehaald. De vaste buddy maakt het verschil: niemand is "
             "uit beeld geraakt.",
    "obstacles": "Vervoer in de polder (Maria kon Sint-Maartensdijk niet op tijd halen) en "
                 "de wachttijd voor de diplomawaardering. Werkervaringsplaatsen lopen af "
                 "zonder dat de volgende stap is besproken.",
    "energy": "De overdracht tussen aanbieders ging soepel: Zeeuwse Stroom nam Fatma over "
              "van De Bevelanden zonder dat ze opnieuw moest beginnen. Aanbieders bellen "
              "elkaar nu zelf.",
    "yields": "Een diploma helpende zorg en welzijn, een vaste baan van 24 uur die een "
              "openstaande vacature vulde, en een stage die Rachid met een goede beoordeling "
              "afsloot.",
}
DECISIONS = [
    (DecisionKind.DECISION, "Zes weken voor het einde van elke werkervaringsplaats plant de "
                            "aanbieder een gesprek over de volgende stap, met de buddy erbij.",
     "Fatma El Amrani (Zorggroep Scheldezoom)", 45),
    (DecisionKind.LESSON, "Vervoer bespreken bij de intake: voor de Junigolf zoeken de "
                          "gemeenten Tholen en Goes samen een oplossing met de Regiotaxi.",
     "Pieter Koster (gemeente Tholen)", 75),
]


def _by_name() -> dict[str, Candidate]:
    return {f"{c.first_name} {c.last_name}": c for c in db.session.scalars(sa.select(Candidate))}


def _wave(name: str, days_ago: int, municipalities, providers, seated, proposed,
          orgs, users, people, coordinator) -> Cohort | None:
    joined = today() - timedelta(days=days_ago)
    start = quarter_start(joined)
    cohort = Cohort(name=f"{name} {start.year}", start_quarter=start,
                    description="", created_by_id=coordinator.id)
    db.session.add(cohort)
    for municipality in municipalities:
        cohort.municipality_rows.append(CohortMunicipality(municipality_id=orgs[municipality].id))
    for provider in providers:
        cohort.provider_rows.append(CohortProvider(provider_id=orgs[provider].id))
    for index, (person, by, motivation, agreements) in enumerate(seated):
        candidate = people.get(person)
        if candidate is None or not candidate.consent_overlegtafel:
            continue
        proposed_on = joined - timedelta(days=14 - index)
        cohort.candidate_rows.append(CohortCandidate(
            candidate_id=candidate.id, status=CohortCandidateStatus.ACCEPTED,
            motivation=motivation, proposed_by_id=users[by].id, proposed_on=proposed_on,
            decided_by_id=coordinator.id, decided_on=joined))
        for provider, kind, support in agreements:
            cohort.agreements.append(CohortAgreement(
                candidate_id=candidate.id, provider_id=orgs[provider].id, stage_kind=kind,
                support=support))
    for person, by, motivation in proposed:
        candidate = people.get(person)
        if candidate is not None:
            cohort.candidate_rows.append(CohortCandidate(
                candidate_id=candidate.id, status=CohortCandidateStatus.PROPOSED,
                motivation=motivation, proposed_by_id=users[by].id,
                proposed_on=today() - timedelta(days=6)))
    return cohort


def load_cohort_demo() -> None:
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    people = _by_name()
    coordinator = users["coordinator"]
    cohorts = []
    for name, days_ago, municipalities, providers, seated, proposed in WAVES:
        cohorts.append(_wave(name, days_ago, municipalities, providers, seated, proposed,
                             orgs, users, people, coordinator))
    db.session.flush()
    maart, juni = cohorts
    maart.description = ("De eerste golf: zes kandidaten uit Goes en Tholen, gericht op "
                         "zorg, facilitair en horeca in de zorg.")
    juni.description = ("De tweede golf: kandidaten met meer belemmeringen (schulden, taal, "
                        "justitie); eerst stabiliseren, dan een plek.")

    # The March wave's second quarter: evaluated at the table and closed.
    evaluation = Evaluation(quarter_start=next_quarter(maart.start_quarter), **ANSWERS)
    maart.evaluations.append(evaluation)
    for kind, text, owner, due in DECISIONS:
        evaluation.decisions.append(Decision(kind=kind, text=text, owner=owner,
                                             due_on=_after(evaluation.quarter_end, due)))
    db.session.flush()
    db.session.expire_all()
    maart = db.session.scalars(loader.cohort_query().where(Cohort.id == maart.id)).one()
    rows = loader.load_rows([maart])[maart.id]
    evaluation = next(e for e in maart.evaluations if e.quarter_start > maart.start_quarter)
    evaluation.snapshot = compute(rows, evaluation.quarter_start, today(),
                                  loader.benefit_amounts(), loader.margin())
    evaluation.closed_at = utcnow() - timedelta(days=max((today() - evaluation.quarter_end).days
                                                         - 12, 0))
    evaluation.closed_by_id = coordinator.id
    # The current quarter of the March wave is open: its figures follow the daily work.
    current = quarter_start(today())
    if current > evaluation.quarter_start:
        maart.evaluations.append(Evaluation(quarter_start=current))
    db.session.flush()


def _after(day: date, days: int) -> date:
    return day + timedelta(days=days)


register_demo_step("cohorts", load_cohort_demo)
