"""Demo data: a profile, an offer and vacancies for each of the six demo providers.

Every name and number is invented.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from trajectory.demo.data import PROVIDERS, register_demo_step
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.providers import services
from trajectory.providers.models import OfferType, VacancyStatus

T = OfferType

# name: (contact, phone, share %, description, practice, offer, vacancies)
# offer rows: (type, title, level, hours, capacity, notes)
# vacancy rows: (title, level, hours, from, status)
PROFILES = {
    PROVIDERS[0]: (
        "Marieke Sinke", "0113 21 40 00", "24.50",
        "Ouderenzorg en wijkverpleging in Goes, Kapelle en Borsele: drie woonzorgcentra en "
        "vier wijkteams.",
        (6, 4, "Twee jobcoaches begeleiden nieuwe medewerkers het eerste jaar.",
         "Vorig jaar stroomden 3 van de 4 werkervaringsplaatsen door naar een BBL-opleiding.",
         "Contract Wmo Goes 2022 (5%)"),
        [(T.INTAKE, "Intake en screening zorg en welzijn", None, None, 6,
          "Gesprek, meeloopdag en een korte oriëntatietest."),
         (T.WERKERVARINGSPLAATS, "Gastvrouw/gastheer woonzorgcentrum", None, "24", 3,
          "Woonzorgcentrum De Vlier, Goes."),
         (T.WERKERVARINGSPLAATS, "Medewerker facilitair", None, "20", 2, None),
         (T.BBL, "Helpende zorg en welzijn", 2, None, 4, "Start in februari en september."),
         (T.BBL, "Verzorgende IG", 3, None, 3, None),
         (T.PAID_JOB, "Medewerker huiskamer", None, "24", 2, None),
         (T.BUDDY, "Buddy vanuit het eigen team", None, None, 4, None)],
        [("Helpende zorg en welzijn", 2, "24", date(2026, 2, 1), VacancyStatus.OPEN),
         ("Verzorgende IG", 3, "28", date(2026, 3, 1), VacancyStatus.OPEN),
         ("Medewerker facilitair", None, "20", date(2025, 10, 1), VacancyStatus.FILLED)],
    ),
    PROVIDERS[1]: (
        "Hans Wisse", "0113 22 10 10", "14.00",
        "Welzijnswerk, buddyprojecten en dagbesteding op de Bevelanden.",
        (2, 5, "Vrijwillige buddy's en een schuldhulpmaatje-project.",
         "Twaalf deelnemers aan dagbesteding vonden vrijwilligerswerk.", None),
        [(T.BUDDY, "Buddy (persoonlijk begeleider)", None, None, 8,
          "Vaste begeleider van intake tot werk."),
         (T.SPECIALIST, "Schuldhulpmaatje", None, None, 4, "Hulp bij schulden en administratie."),
         (T.SPECIALIST, "Sociaal werk bij gezinsproblemen", None, None, 3, None),
         (T.WERKERVARINGSPLAATS, "Medewerker dagbesteding", None, "16", 3, None),
         (T.ADDITIONAL_PROJECT, "Taalcafé NT2 voor werk", None, None, 12,
          "Elke dinsdagochtend in Goes."),
         (T.ADDITIONAL_PROJECT, "Fietsles en vervoer naar werk", None, None, 6, None)],
        [("Medewerker dagbesteding", 2, "24", date(2026, 4, 1), VacancyStatus.OPEN)],
    ),
    PROVIDERS[2]: (
        "Ingrid Vermeulen", "0113 56 78 90", "19.00",
        "Thuiszorg en huishoudelijke hulp in heel de Oosterschelde-regio.",
        (9, 2, "Een leerwerkteam met eigen praktijkbegeleider.",
         "Twee BBL-leerlingen haalden hun diploma helpende.", "Contract Wmo Borsele 2023 (5%)"),
        [(T.INTAKE, "Screening huishoudelijke hulp", None, None, 4, None),
         (T.BBL, "Helpende zorg en welzijn", 2, None, 3, "Leerwerkteam Goes."),
         (T.BBL, "Verzorgende IG", 3, None, 2, None),
         (T.BOL, "Stage helpende zorg en welzijn", 2, None, 2, None),
         (T.PAID_JOB, "Huishoudelijk medewerker", None, "24", 5, "Vaste uren, eigen wijk."),
         (T.PAID_JOB, "Helpende thuiszorg", None, "28", 2, None)],
        [("Huishoudelijk medewerker", 1, "24", date(2026, 1, 15), VacancyStatus.OPEN),
         ("Helpende thuiszorg", 2, "24", date(2026, 5, 1), VacancyStatus.OPEN),
         ("Huishoudelijk medewerker", 1, "16", date(2025, 9, 1), VacancyStatus.WITHDRAWN)],
    ),
    PROVIDERS[3]: (
        "Gert-Jan Hoogesteger", "0166 60 20 20", "17.50",
        "Wonen met zorg voor ouderen en mensen met een beperking in Tholen en Reimerswaal.",
        (4, 3, "Meelopen met een vaste collega.", None, None),
        [(T.INTAKE, "Intake wonen en zorg", None, None, 3, None),
         (T.WERKERVARINGSPLAATS, "Medewerker keuken en restaurant", None, "24", 2, None),
         (T.VSO, "Stage VSO/praktijkonderwijs in de facilitaire dienst", None, None, 2, None),
         (T.PAID_JOB, "Medewerker facilitair", None, "20", 1, None)],
        [("Medewerker keuken", 1, "20", date(2026, 3, 1), VacancyStatus.OPEN)],
    ),
    PROVIDERS[4]: (
        "Annemiek Bolier", "0111 45 45 45", "13.00",
        "Coöperatie van kleine zorgaanbieders op Tholen en Schouwen-Duiveland.",
        (1, 1, None, None, None),
        [(T.WERKERVARINGSPLAATS, "Helpende in de huiskamer", None, "16", 2, None),
         (T.ADDITIONAL_PROJECT, "Vervoersproject 'Samen naar je werk'", None, None, 5, None)],
        [],
    ),
    PROVIDERS[5]: (
        "Sjaak Koene", "0113 33 33 33", "12.00",
        "Begeleid wonen en ambulante begeleiding.",
        (2, 2, "Ervaringsdeskundige begeleiders.", None, None),
        [(T.SPECIALIST, "Ambulante begeleiding bij sociale problemen", None, None, 4, None),
         (T.WERKERVARINGSPLAATS, "Medewerker groen en onderhoud", None, "20", 2, None),
         (T.BOL, "Stage maatschappelijke zorg", 3, None, 1, None)],
        [("Begeleider wonen", 3, "28", date(2026, 6, 1), VacancyStatus.OPEN)],
    ),
}


def load_provider_demo() -> None:
    providers = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.name.in_(PROFILES)))}
    for name, (contact, phone, share, description, practice, offer, vacancies) in PROFILES.items():
        provider = providers.get(name)
        if provider is None:
            continue
        email = contact.split(" ")[0].lower() + "@voorbeeld.nl"
        services.save_profile(provider, contact_name=contact, contact_phone=phone,
                              contact_email=email, contract_share=Decimal(share),
                              description=description)
        employed, places, support, results, other = practice
        services.save_practice(provider, employed_from_benefit=employed,
                               experience_places=places, support_given=support,
                               results=results, other_obligation_contracts=other)
        for offer_type, title, level, hours, capacity, notes in offer:
            services.create_offer_item(
                provider, offer_type=offer_type, title=title, level=level,
                hours_per_week=Decimal(hours) if hours else None, capacity=capacity,
                available_from=None, available_until=None, notes=notes)
        for title, level, hours, start, status in vacancies:
            services.create_vacancy(provider, title=title, level=level,
                                    hours_per_week=Decimal(hours), available_from=start,
                                    status=status)


register_demo_step("providers", load_provider_demo)
