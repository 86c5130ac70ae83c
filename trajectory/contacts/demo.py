"""Demo buddy logs over the past weeks, on the demo candidates (after the candidates' step).

Kees Dekker logs his candidates every week or two; one contact failed, two signals
wait for the klantmanager and one was handled. Rachid Benali (no consent for the
buddy, so no log) and Erik Hoogstrate have had no contact for more than 14 days, so
the "no contact" signal shows.
Dates are relative to today; every name and note is invented.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

import trajectory.candidates.demo  # noqa: F401 - registers its step first
from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.contacts import services
from trajectory.contacts.access import can_log
from trajectory.contacts.models import ContactKind, SignalCategory
from trajectory.demo.data import register_demo_step
from trajectory.extensions import db
from trajectory.timeutil import today

G, T, A, H, X = (ContactKind.GESPREK, ContactKind.TELEFOON, ContactKind.APP,
                 ContactKind.HUISBEZOEK, ContactKind.GEEN_CONTACT)

# candidate (first last), buddy, [(days ago, kind, wellbeing, note, signal, signal text,
# handled: (days ago, by, note) or None)]
LOGS = [
    ("Fatma Yıldız", "buddy", [
        (16, A, None, "Appje of de eerste week in de thuiszorg goed ging. Ze stuurde een duim.",
         None, None, None),
        (9, T, 4, "Rooster voor december besproken. Opvang op dinsdag is nu geregeld via haar zus.",
         None, None, None),
        (2, G, 4, "Koffie op kantoor. De eerste weken als helpende thuiszorg gaan goed; ze is "
                  "trots op haar vaste contract.", None, None, None),
    ]),
    ("Jeroen Berg", "buddy", [
        (12, T, 3, "Het gaat goed op de facilitaire dienst, hij is elke dag op tijd.",
         None, None, None),
        (3, G, 3, "Gesprek na zijn dienst. Hij wil graag blijven, maar weet niet wat er na de "
                  "werkervaringsplaats komt.", SignalCategory.WERKPLEK,
         "Werkervaringsplaats loopt over twee weken af en er is nog geen besluit over de "
         "volgende stap. Jeroen wordt daar onrustig van.", None),
    ]),
    ("Samira Idrissi", "buddy", [
        (20, H, 2, "Huisbezoek. Stapel ongeopende post samen doorgenomen.", None, None, None),
        (5, T, 2, "Ze belde zelf, erg gespannen.", SignalCategory.SCHULDEN,
         "Nieuwe aanmaning van de zorgverzekeraar en een brief van de deurwaarder. Graag "
         "snel contact met de schuldhulpverlening.", None),
        (1, X, None, "Niet thuis op de afgesproken tijd, briefje in de bus gedaan.",
         None, None, None),
    ]),
    ("Lisa Verburg", "buddy", [
        (25, A, 4, "Vraag over haar rooster in de kerstweek.", SignalCategory.GEZONDHEID,
         "Lisa heeft veel last van haar rug na het tillen van kratten in de keuken.",
         (23, "klantmanager", "Gebeld met de werkbegeleider: Lisa tilt niet meer alleen, "
                              "afspraak bij de bedrijfsarts staat.")),
        (4, G, 5, "Evaluatie van de werkervaringsplaats. Ze wil na de zomer de leerwerkbaan "
                  "in de keuken.", None, None, None),
    ]),
    ("Rachid Benali", "buddy", [
        (22, G, 3, "Gesprek over de stage in het zorghotel die net is afgerond.",
         None, None, None),
        (19, X, None, "Telefoon niet opgenomen, ingesproken.", None, None, None),
    ]),
    ("Anouk Bakker", "buddy", [
        (30, T, 2, "Herstel na de operatie gaat langzaam. Contact houden, geen druk.",
         None, None, None),
    ]),
    ("Petra Sinke", "a.jansen", [
        (6, H, 3, "Huisbezoek. Het taalcafé bevalt goed.", SignalCategory.MOTIVATIE,
         "Petra twijfelt of ze de proefplaatsing aandurft na een terugval vorige week.", None),
    ]),
    ("Tim Heijboer", "a.jansen", [
        (2, A, 4, "Hij is naar de open dag van het mbo geweest en wil zich aanmelden.",
         None, None, None),
    ]),
    ("Maria Koole", "e.polderman", [
        (8, G, 4, "De nieuwe plek bij de coöperatie is dichtbij huis, ze fietst erheen.",
         None, None, None),
    ]),
    ("Erik Hoogstrate", "e.polderman", [
        (15, T, 3, "De taakstraf is bijna klaar; daarna zoeken we een BBL-plek.",
         None, None, None),
    ]),
    ("Mohammed Aziz", "l.vandijke", [
        (3, G, 4, "Documenten voor de diplomawaardering zijn vertaald en verstuurd.",
         None, None, None),
    ]),
]


def _moment(days_ago: int, hour: int = 11) -> datetime:
    return datetime.combine(today() - timedelta(days=days_ago), time(hour, 0), tzinfo=UTC)


def load_contact_demo() -> None:
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    people = {f"{c.first_name} {c.last_name}": c for c in db.session.scalars(sa.select(Candidate))}
    for name, buddy, entries in LOGS:
        candidate = people.get(name)
        if candidate is None or candidate.current_buddy is None:
            continue
        if candidate.current_buddy.username != buddy:
            continue
        if not can_log(users[buddy], candidate):  # no consent for the buddy (Rachid Benali)
            continue
        for days_ago, kind, wellbeing, note, signal, signal_text, handled in entries:
            entry = services.log_contact(
                users[buddy], candidate, contact_on=today() - timedelta(days=days_ago),
                kind=kind, note=note, wellbeing=wellbeing, signal_category=signal,
                signal_text=signal_text)
            entry.created_at = _moment(days_ago)
            if handled is not None:
                handled_days, by, handled_note = handled
                services.handle_signal(users[by], entry, handled_note)
                entry.signal_handled_at = _moment(handled_days, 15)
    db.session.flush()


register_demo_step("contacts", load_contact_demo)
