"""Demo candidates: made-up people across the municipalities, with plans in
every state, buddies (one reassigned), ladder measurements, statuses and benefit
histories through the service (Erik Hoogstrate: WW, then Participatiewet from the
day after it ran out; Dirk de Jonge: WW that ended the day before his first job).

Dates are relative to today so the demo stays fresh. Every name is invented;
the BSNs are elfproef-valid test numbers (111222333 and numbers from 9999...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role
from trajectory.candidates import benefits, services
from trajectory.candidates.bsn import is_valid_bsn
from trajectory.candidates.models import (
    Benefit,
    Candidate,
    CandidateStatus,
    MeasurementKind,
    OutflowReason,
    ZrmDomain,
)
from trajectory.candidates.names import fold
from trajectory.candidates.services import CandidateDetails
from trajectory.demo.data import DEMO_PASSWORD, register_demo_step
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today, utcnow


def test_bsns() -> list[str]:
    """Elfproef-valid nine-digit numbers starting with 9999: obviously not real."""
    found = []
    number = 999900000
    while len(found) < 20:
        if is_valid_bsn(str(number)):
            found.append(str(number))
        number += 1
    return found


@dataclass
class Person:
    first: str
    last: str
    born: date
    municipality: str
    klantmanager: str
    benefit: Benefit          # the first benefit period (registration); NUG: none
    benefit_years: float      # ... started this many years ago
    tussenvoegsel: str | None = None
    place: str | None = None
    bsn: str | None = None
    flags: tuple[str, ...] = ()
    registered_days_ago: int = 200
    consent: str = "all"  # all, providers_buddy, no_buddy, expiring, none
    buddies: list[tuple[str, int]] = field(default_factory=list)  # (username, start days ago)
    plan: dict[str, Any] | None = None
    agree: str = "none"  # none, agreed
    # Saves after the agreement, oldest first: (days ago, username, what, details) with
    # what "step_done" (a step's description), "step" (goal, step, who, due in days) or
    # "agreement" (a line added to the agreements). Progress keeps the plan agreed; the
    # others are changes of substance (trajectory/candidates/plan_versions.py).
    after_agreement: tuple[tuple[int, str, str, Any], ...] = ()
    ladder: list[tuple[int, int]] = field(default_factory=list)  # (rung, days ago), first = intake
    zrm: dict[ZrmDomain, int] | None = None
    status: CandidateStatus = CandidateStatus.ACTIEF
    status_kwargs: dict[str, Any] = field(default_factory=dict)
    # Later periods of the benefit history: (benefit, start days ago); each ends the one
    # running before it on the day before its start (trajectory.candidates.benefits).
    later_benefits: tuple[tuple[Benefit, int], ...] = ()
    benefit_ended_days_ago: int | None = None  # the latest period ended then


def _people() -> list[Person]:
    bsn = test_bsns()
    return [
        Person("Fatma", "Yıldız", date(1983, 2, 17), "Goes", "klantmanager", Benefit.PARTICIPATIEWET,
               4.2, place="Goes", bsn=bsn[0], flags=("nt2",), registered_days_ago=420,
               buddies=[("buddy", 400)], agree="agreed",
               after_agreement=((30, "klantmanager", "step_done",
                                 "Kennismaken op afdeling De Linde"),),
               ladder=[(2, 400), (3, 220), (4, 40)],
               zrm={ZrmDomain.FINANCIEN: 3, ZrmDomain.WERK_OPLEIDING: 2, ZrmDomain.SOCIAAL_NETWERK: 3,
                    ZrmDomain.HUISVESTING: 4},
               plan={"wishes": "Ik wil graag in de zorg werken, het liefst met ouderen.\n"
                               "Later wil ik de opleiding tot verzorgende IG doen.",
                     "skills": "Beter Nederlands spreken op de werkvloer, rapporteren in het "
                               "zorgdossier.",
                     "needs": "Opvang voor mijn jongste zoon op dinsdag en donderdag.",
                     "agreements": "Fatma belt Kees als een afspraak niet doorgaat. "
                                   "We evalueren elke zes weken.",
                     "goals": [("Werkervaring opdoen in een verpleeghuis", 90, "bezig",
                                [("Kennismaken op afdeling De Linde", "Kees", 7, False),
                                 ("VOG aanvragen", "Fatma", -20, True)]),
                               ("Taalniveau B1 halen", 240, "open",
                                [("Inschrijven taalcursus bij het Taalhuis", "Fatma", 21, False)])],
                     "barriers": [("taal_nt2", "Spreekt Nederlands op A2-niveau", 2, "ja",
                                   "Praktisch werk met een collega die helpt", "Taalhuis Goes",
                                   "in_behandeling"),
                                  ("kinderopvang", "Geen opvang op dinsdag en donderdag", 2, "deels",
                                   "Werken op maandag, woensdag en vrijdag", "Gemeente Goes",
                                   "open")],
                     "trainings": [("Taalcursus Nederlands op de werkvloer", "Taalhuis Goes", -30,
                                    60, "bezig", False)]}),
        Person("Jeroen", "Berg", date(1997, 6, 3), "Goes", "klantmanager", Benefit.WW, 0.7,
               tussenvoegsel="van den", place="Kloetinge", registered_days_ago=230,
               buddies=[("a.jansen", 210), ("buddy", 60)], agree="agreed",
               # Fatima El Amrani (intaker, Zorggroep Scheldezoom, where his
               # werkervaringsplaats runs: trajectory/stages/demo.py) co-writes the plan.
               after_agreement=(
                   (60, "intaker", "step", ("Drie maanden werkervaringsplaats facilitaire dienst",
                                            "Rooster afstemmen met de werkbegeleider",
                                            "Fatima El Amrani", 10)),
                   (10, "klantmanager", "agreement",
                    "Nieuwe afspraak: evaluatie over vier weken.")),
               ladder=[(3, 215), (4, 30)],
               plan={"wishes": "Ik wil weer een vaste baan, graag in de techniek of de "
                               "facilitaire dienst van een zorginstelling.",
                     "skills": "Werken in een team, vaste werktijden.",
                     "needs": "Hulp bij het opbouwen van een ritme.",
                     "agreements": "Jeroen meldt zich elke maandag bij Kees.",
                     "goals": [("Drie maanden werkervaringsplaats facilitaire dienst", 75, "bezig",
                                [("Proefdag bij Zorggroep Scheldezoom", "Ahmet Jansen", -40, True),
                                 ("Afspraak maken met leidinggevende", "Kees", 5, False)])],
                     "barriers": [("geen_werkritme", "Slaapt onregelmatig sinds het ontslag", 1,
                                   "ja", "Begint om tien uur", "Kees Dekker", "in_behandeling")],
                     "trainings": [("VCA Basis", "Scalda", 20, 21, "gepland", False)]}),
        Person("Samira", "Idrissi", date(1991, 11, 29), "Goes", "m.devos", Benefit.PARTICIPATIEWET,
               2.3, tussenvoegsel="el", place="Goes", bsn=bsn[1], registered_days_ago=120,
               consent="expiring", buddies=[("buddy", 100)], agree="none",
               ladder=[(1, 110), (2, 20)],
               plan={"wishes": "Ik wil iets doen waar ik mensen mee help, misschien in de "
                               "thuiszorg.",
                     "skills": "", "needs": "Eerst rust in mijn hoofd en grip op mijn geld.",
                     "agreements": "",
                     "goals": [("Schulden in beeld bij de schuldhulpverlening", 45, "bezig",
                                [("Map met brieven meenemen naar het gesprek", "Samira", 3,
                                  False)])],
                     "barriers": [("schulden", "Betalingsachterstanden huur en zorgverzekering",
                                   3, "deels", "Vrijwilligerswerk twee ochtenden",
                                   "Schuldhulp Oosterschelde", "in_behandeling"),
                                  ("psychisch", "Somberheid, in behandeling bij de huisarts", 2,
                                   "deels", "Korte dagdelen", "Huisarts", "open")],
                     "trainings": []}),
        Person("Henk", "Wisse", date(1968, 3, 8), "Goes", "m.devos", Benefit.WIA_WAO, 6.0,
               place="Wolphaartsdijk", registered_days_ago=12, consent="providers_buddy",
               status=CandidateStatus.AANGEMELD),
        Person("Lisa", "Verburg", date(2002, 8, 21), "Goes", "klantmanager", Benefit.WAJONG, 5.0,
               place="Goes", flags=("doelgroepregister",), registered_days_ago=380,
               buddies=[("buddy", 370)], agree="agreed", ladder=[(3, 370), (4, 200), (5, 25)],
               plan={"wishes": "Ik wil in de keuken van een zorgcentrum werken.",
                     "skills": "Hygiënecode, samenwerken.", "needs": "Een vaste werkbegeleider.",
                     "agreements": "Lisa werkt vier ochtenden per week.",
                     "goals": [("Leerwerkbaan keukenmedewerker", 150, "bezig",
                                [("Contract tekenen", "Gemeente Goes", 10, False)])],
                     "barriers": [("vervoer", "Geen rijbewijs", 1, "ja", "Fiets en bus",
                                   "Lisa", "opgelost")],
                     "trainings": [("Basis hygiëne", "Scalda", -120, -90, "afgerond", True)]}),
        Person("Mohammed", "Aziz", date(1995, 1, 14), "Goes", "klantmanager",
               Benefit.PARTICIPATIEWET, 1.1, place="Goes", flags=("statushouder", "nt2"),
               registered_days_ago=90, buddies=[("l.vandijke", 80)], agree="none",
               ladder=[(2, 85)],
               plan={"wishes": "Ik was verpleegkundige in Syrië. Ik wil weer in het ziekenhuis "
                               "werken.",
                     "skills": "Nederlandse medische termen.",
                     "needs": "Erkenning van mijn diploma.", "agreements": "",
                     "goals": [("Diploma laten waarderen bij IDW", 60, "open",
                                [("Documenten vertalen", "Lotte van Dijke", 14, False)])],
                     "barriers": [("taal_nt2", "Inburgering loopt, niveau A2", 2, "ja",
                                   "Vrijwilligerswerk in het verpleeghuis", "Taalhuis Goes",
                                   "in_behandeling"),
                                  ("vervoer", "Geen rijbewijs, woont buiten de bus", 1, "deels",
                                   "Fiets tot 10 km", "Lotte van Dijke", "open")],
                     "trainings": []}),
        Person("Anouk", "Bakker", date(1986, 5, 30), "Goes", "klantmanager",
               Benefit.PARTICIPATIEWET, 3.0, place="'s-Heer Arendskerke",
               registered_days_ago=300, buddies=[("buddy", 280)], agree="agreed",
               ladder=[(2, 290), (3, 150)],
               plan={"wishes": "Ik wil in de kinderopvang werken.", "skills": "",
                     "needs": "", "agreements": "Na het herstel plannen we opnieuw.",
                     "goals": [("Stage bij een kinderdagverblijf", 200, "open", [])],
                     "barriers": [("medisch", "Herstel na een operatie", 3, "ja",
                                   "Contact houden met Kees", "Huisarts", "in_behandeling")],
                     "trainings": []},
               status=CandidateStatus.GEPAUZEERD,
               status_kwargs={"pause_reason": "Operatie en herstel, verwacht terug in februari"}),
        # WW until the day before his temporary job at Scheldezoom started (420 days ago,
        # trajectory/labour/demo.py): T2 reads the WW the day before the job.
        Person("Dirk", "Jonge", date(1974, 10, 2), "Goes", "m.devos", Benefit.WW, 1.4,
               tussenvoegsel="de", place="Goes", registered_days_ago=420,
               benefit_ended_days_ago=421,
               buddies=[("a.jansen", 400)], agree="agreed", ladder=[(3, 400), (5, 150), (6, 70)],
               plan={"wishes": "Ik wil weer aan het werk als chauffeur.", "skills": "",
                     "needs": "", "agreements": "",
                     "goals": [("Code 95 bijscholing afronden", -80, "behaald", [])],
                     "barriers": [], "trainings": [("Code 95", "Rijschool Zeeland", -200, -120,
                                                    "afgerond", True)]},
               status=CandidateStatus.UITGESTROOMD,
               status_kwargs={"outflow_reason": OutflowReason.BETAALD_WERK, "days_ago": 60}),
        Person("Maria", "Koole", date(1980, 7, 7), "Tholen", "klantmanager2",
               Benefit.PARTICIPATIEWET, 5.5, place="Sint-Maartensdijk", bsn="111222333",
               registered_days_ago=250, buddies=[("e.polderman", 240)], agree="agreed",
               ladder=[(2, 245), (3, 60)],
               plan={"wishes": "Ik wil graag helpen in de huishouding bij ouderen thuis.",
                     "skills": "Plannen, zelfstandig werken.", "needs": "Een rijbewijs.",
                     "agreements": "Maria werkt drie ochtenden als vrijwilliger.",
                     "goals": [("Rijbewijs B halen", 180, "bezig",
                                [("Theorie-examen plannen", "Maria", 30, False)])],
                     "barriers": [("vervoer", "Geen rijbewijs, weinig bussen in de polder", 2,
                                   "ja", "Vrijwilligerswerk in het dorp", "Els Polderman",
                                   "in_behandeling")],
                     "trainings": []}),
        Person("Kevin", "Moerland", date(2004, 12, 12), "Tholen", "klantmanager2", Benefit.NUG,
               0.5, place="Tholen", registered_days_ago=20, consent="none",
               agree="none", status=CandidateStatus.AANGEMELD,
               plan={"wishes": "Ik weet het nog niet precies. Iets met mijn handen.",
                     "skills": "", "needs": "", "agreements": "", "goals": [],
                     "barriers": [("geen_werkervaring", "Heeft nog nooit gewerkt", 2, "ja",
                                   "Snuffelstage", "Klantmanager", "open")],
                     "trainings": []}),
        Person("Ingrid", "Lodder", date(1989, 4, 18), "Tholen", "klantmanager2", Benefit.WW, 0.9,
               place="Oud-Vossemeer", registered_days_ago=320, buddies=[("e.polderman", 310)],
               agree="agreed", ladder=[(3, 315), (4, 150)],
               plan={"wishes": "Ik wil de opleiding tot helpende zorg en welzijn doen.",
                     "skills": "", "needs": "", "agreements": "", "goals": [],
                     "barriers": [], "trainings": [("Helpende Zorg en Welzijn (BBL niveau 2)",
                                                    "Scalda", -30, 300, "bezig", False)]},
               status=CandidateStatus.UITGESTROOMD,
               status_kwargs={"outflow_reason": OutflowReason.OPLEIDING, "days_ago": 30}),
        Person("Rachid", "Benali", date(1999, 9, 9), "Tholen", "klantmanager2", Benefit.WAJONG,
               4.0, place="Tholen", flags=("doelgroepregister", "driving_licence",
                                           "own_transport"),
               registered_days_ago=150, buddies=[("buddy", 140)], agree="agreed",
               after_agreement=((10, "klantmanager2", "agreement",
                                 "Nieuwe afspraak: evaluatie over vier weken."),),
               # No consent for the buddy: Kees Dekker sees his name and phone number only.
               consent="no_buddy",
               ladder=[(3, 145), (4, 50)],
               plan={"wishes": "Ik wil als gastheer werken in een zorghotel.",
                     "skills": "Klantvriendelijk zijn, kassa.", "needs": "Een rustige plek.",
                     "agreements": "Rachid werkt twintig uur per week.",
                     "goals": [("Werkervaringsplaats gastheer", 40, "bezig",
                                [("Evaluatiegesprek", "Kees", 12, False)])],
                     "barriers": [("sociaal_gezin", "Zorgt voor een zieke moeder", 2, "nee",
                                   "Werken in de ochtend", "Rachid", "blijft")],
                     "trainings": []}),
        Person("Petra", "Sinke", date(1977, 1, 25), "Borsele", "r.louwerse",
               Benefit.PARTICIPATIEWET, 2.8, place="Heinkenszand", bsn=bsn[2],
               registered_days_ago=180, buddies=[("a.jansen", 170)], agree="none",
               ladder=[(2, 175)],
               plan={"wishes": "Ik wil in de schoonmaak van het ziekenhuis werken.",
                     "skills": "", "needs": "", "agreements": "",
                     "goals": [("Proefplaatsing schoonmaak", 30, "open",
                                [("Gesprek met de teamleider", "Ahmet Jansen", 8, False)])],
                     "barriers": [("verslaving", "Alcoholgebruik, in behandeling", 3, "deels",
                                   "Werken met een vaste collega", "Emergis", "in_behandeling")],
                     "trainings": []}),
        # Two periods: WW for fourteen months, then Participatiewet from the day after it
        # ran out (added through the service, which ended the WW).
        Person("Erik", "Hoogstrate", date(1993, 3, 3), "Schouwen-Duiveland", "h.meijer",
               Benefit.WW, 3.1, place="Zierikzee", registered_days_ago=210,
               later_benefits=((Benefit.PARTICIPATIEWET, 694),),
               buddies=[("e.polderman", 200)], agree="agreed", ladder=[(2, 205), (4, 45)],
               plan={"wishes": "Ik wil bij de technische dienst van een zorginstelling werken.",
                     "skills": "", "needs": "", "agreements": "",
                     "goals": [("BBL Medewerker technische dienst", 300, "open", [])],
                     "barriers": [("justitie", "Taakstraf loopt nog twee maanden", 1, "ja",
                                   "Werken buiten de uren van de taakstraf", "Reclassering",
                                   "in_behandeling")],
                     "trainings": []}),
        Person("Yvonne", "Kodde", date(1984, 6, 16), "Kapelle", "j.dewolf", Benefit.PARTICIPATIEWET,
               3.4, place="Kapelle", registered_days_ago=260, buddies=[("l.vandijke", 250)],
               agree="agreed", ladder=[(2, 255), (3, 120)],
               plan={"wishes": "Ik wil in een winkel werken.", "skills": "", "needs": "",
                     "agreements": "", "goals": [], "barriers": [], "trainings": []},
               status=CandidateStatus.UITGESTROOMD,
               status_kwargs={"outflow_reason": OutflowReason.VERHUISD, "days_ago": 15,
                              "outflow_note": "Verhuisd naar Rotterdam"}),
        Person("Tim", "Heijboer", date(2006, 2, 2), "Goes", "klantmanager", Benefit.NUG, 0.3,
               place="Goes", registered_days_ago=60, buddies=[("a.jansen", 50)], agree="none",
               ladder=[(3, 55)],
               plan={"wishes": "Ik wil monteur worden.", "skills": "", "needs": "",
                     "agreements": "", "goals": [("Open dag mbo bezoeken", 20, "open",
                                                  [("Aanmelden open dag", "Tim", 6, False)])],
                     "barriers": [], "trainings": []}),
    ]


def _kapelle_klantmanager() -> None:
    """Kapelle has no klantmanager among the base accounts; the demo adds one."""
    if db.session.scalar(sa.select(User.id).where(User.username == "j.dewolf")):
        return
    kapelle = db.session.scalars(sa.select(Organisation).where(Organisation.name == "Kapelle")).one()
    user = User(username="j.dewolf", full_name="Jolanda de Wolf", organisation=kapelle,
                email="jdewolf@voorbeeld.nl", password_hash=hash_password(DEMO_PASSWORD))
    user.set_roles({Role.KLANTMANAGER})
    db.session.add(user)
    db.session.flush()


def _consent(kind: str, registered: date) -> dict[str, Any]:
    given = registered
    if kind == "none":
        return {}
    shares = {"consent_providers": True, "consent_buddy": kind != "no_buddy",
              "consent_overlegtafel": kind != "providers_buddy"}
    expires = today() + timedelta(days=18) if kind == "expiring" else given + timedelta(days=730)
    return {"consent_given_on": given, "consent_expires_on": expires, **shares}


def _backdate(candidate: Candidate, days_ago: int) -> None:
    """The session just saved (or the agreement) happened ``days_ago`` days ago."""
    when = utcnow() - timedelta(days=days_ago)
    plan = candidate.plan
    version = plan.latest_version
    if version is not None:
        version.created_at = version.updated_at = when
    plan.updated_at = when
    if plan.substance_changed_at is not None and plan.substance_changed_at > when:
        plan.substance_changed_at = when


def _write_plan(user: User, candidate: Candidate, spec: dict[str, Any], days_ago: int) -> None:
    """The plan in two sittings a week apart (one version each): at the intake the texts,
    the first goal and the barriers; then the other goals and the trainings."""
    plan = candidate.plan
    t = today()
    services.save_plan_texts(user, plan, {k: spec.get(k, "") for k in
                                          ("wishes", "skills", "needs", "agreements")},
                             plan.lock_version)
    goals = spec.get("goals", [])
    trainings = spec.get("trainings", [])

    def add_goal(description, target, status, steps):
        goal = services.add_plan_item(user, plan, "doelen", {
            "description": description, "target_date": t + timedelta(days=target),
            "status": status})
        for step, who, due, done in steps:
            services.add_plan_item(user, plan, "stappen", {
                "description": step, "who": who, "due_date": t + timedelta(days=due),
                "done": done}, goal=goal)

    for goal in goals[:1]:
        add_goal(*goal)
    for category, description, severity, solvable, despite, who, status in spec.get("barriers", []):
        services.add_plan_item(user, plan, "belemmeringen", {
            "category": category, "description": description, "severity": severity,
            "solvable": solvable, "possible_despite": despite, "taken_up_by": who,
            "status": status})
    _backdate(candidate, days_ago)
    if goals[1:] or trainings:
        for goal in goals[1:]:
            add_goal(*goal)
        for name, where, start, end, status, certificate in trainings:
            services.add_plan_item(user, plan, "opleidingen", {
                "name": name, "provider": where, "start_date": t + timedelta(days=start),
                "end_date": t + timedelta(days=end), "status": status,
                "certificate": certificate})
        _backdate(candidate, max(days_ago - 7, 0))


def _after_agreement(users: dict[str, User], candidate: Candidate, person: Person) -> None:
    t = today()
    for days_ago, username, what, details in person.after_agreement:
        user, plan = users[username], candidate.plan
        if what == "step_done":
            step = next(s for g in plan.goals for s in g.steps if s.description == details)
            services.update_plan_item(user, plan, "stappen", step, {
                "description": step.description, "who": step.who, "due_date": step.due_date,
                "done": True}, plan.lock_version)
        elif what == "step":
            goal_text, step_text, who, due = details
            goal = next(g for g in plan.goals if g.description == goal_text)
            services.add_plan_item(user, plan, "stappen", {
                "description": step_text, "who": who, "due_date": t + timedelta(days=due),
                "done": False}, goal=goal)
        else:
            services.save_plan_texts(user, plan, {
                "wishes": plan.wishes, "skills": plan.skills, "needs": plan.needs,
                "agreements": plan.agreements + "\n" + details}, plan.lock_version)
        _backdate(candidate, days_ago)


def load_candidates() -> None:
    _kapelle_klantmanager()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    t = today()
    for person in _people():
        user = users[person.klantmanager]
        registered = t - timedelta(days=person.registered_days_ago)
        details = CandidateDetails(
            first_name=person.first, tussenvoegsel=person.tussenvoegsel, last_name=person.last,
            date_of_birth=person.born, benefit=person.benefit,
            benefit_since=t - timedelta(days=int(person.benefit_years * 365.25)),
            klantmanager_id=user.id, phone=_phone(person), email=f"{_mail(person)}@voorbeeld.nl",
            street=f"{_STREETS[len(person.first) % len(_STREETS)]} {len(person.last) * 3 + 1}",
            postcode=f"{_POSTCODES[person.municipality]} {fold(person.last)[:2].upper()}",
            place=person.place, bsn=person.bsn, client_number=_client_number(person),
            **{flag: True for flag in person.flags}, **_consent(person.consent, registered))
        candidate = services.register_candidate(user, details, allow_similar=True)
        candidate.registered_at = utcnow() - timedelta(days=person.registered_days_ago)
        _benefit_history(user, candidate, person)
        for username, days_ago in person.buddies:
            services.assign_buddy(user, candidate, users[username], t - timedelta(days=days_ago),
                                  _phone(person, buddy=username))
        for index, (rung, days_ago) in enumerate(person.ladder):
            services.record_measurement(
                user, candidate, measured_on=t - timedelta(days=days_ago), rung=rung,
                kind=MeasurementKind.INTAKE if index == 0 else MeasurementKind.REVIEW)
        if person.zrm:
            services.record_zrm(user, candidate, scored_on=t - timedelta(days=30),
                                scores=person.zrm)
        if person.plan:
            first_days = max(person.registered_days_ago - 10, 1)
            _write_plan(user, candidate, person.plan, first_days)
            if person.agree == "agreed":
                plan = candidate.plan
                services.agree_plan(user, plan, plan.current_number,
                                    t - timedelta(days=max(first_days - 10, 0)))
                _after_agreement(users, candidate, person)
        _apply_status(user, candidate, person)
        db.session.flush()


def _benefit_history(user: User, candidate: Candidate, person: Person) -> None:
    """The periods after the first one (registration made that), through the service."""
    t = today()
    for benefit, days_ago in person.later_benefits:
        benefits.add_benefit_period(candidate, user, benefit, t - timedelta(days=days_ago))
    if person.benefit_ended_days_ago is not None:
        latest = benefits.periods_of(candidate)[-1]
        benefits.end_benefit_period(latest, t - timedelta(days=person.benefit_ended_days_ago))


_STREETS = ("Kerkstraat", "Stationsweg", "Molenstraat", "Dorpsstraat", "Havenweg", "Zandweg")
_POSTCODES = {"Goes": "4461", "Tholen": "4691", "Borsele": "4456", "Schouwen-Duiveland": "4301",
              "Kapelle": "4421"}


def _phone(person: Person, buddy: str | None = None) -> str:
    seed = sum(ord(ch) for ch in (buddy or person.first + person.last))
    return f"06 {seed * 7919 % 90000000 + 10000000}"


def _client_number(person: Person) -> str | None:
    """The number in the municipality's benefit system; none without a benefit (NUG)."""
    if person.benefit is Benefit.NUG:
        return None
    seed = sum(ord(ch) * (i + 1) for i, ch in enumerate(person.first + person.last))
    return f"{person.municipality[:2].upper()}-{seed * 104729 % 900000 + 100000}"


def _mail(person: Person) -> str:
    return (fold(person.first) + "." + fold(person.last)).replace(" ", "")


def _apply_status(user: User, candidate: Candidate, person: Person) -> None:
    if person.status is CandidateStatus.AANGEMELD:
        return
    kwargs = dict(person.status_kwargs)
    days_ago = kwargs.pop("days_ago", None)
    if person.status is CandidateStatus.UITGESTROOMD:
        closed = today() - timedelta(days=days_ago or 0)
        services.change_status(user, candidate, person.status, effective_on=closed, **kwargs)
        for assignment in candidate.assignments:  # the buddy stopped when the file closed
            if assignment.end_date is None:
                assignment.end_date = closed
    else:
        services.change_status(user, candidate, person.status, **kwargs)


register_demo_step("candidates", load_candidates)
