"""An imported candidate gets exactly what a registration by hand gives (the import
inserts in bulk, ``imports/bulk.py``, not through the session's flush)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.candidates.support import details, register
from tests.imports.support import csv_bytes, valid_bsns
from tests.imports.test_web import token_of, upload
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.candidates import connections
from trajectory.candidates.models import Benefit, BenefitPeriod, Candidate, Plan
from trajectory.cohorts import signal_facts
from trajectory.extensions import db
from trajectory.imports import services
from trajectory.timeutil import today

HEADERS = ["Voornaam", "Tussenvoegsel", "Achternaam", "Geboortedatum", "BSN", "Klantnummer",
           "Uitkering", "Uitkering sinds", "Telefoon", "E-mail", "Straat", "Postcode",
           "Woonplaats", "Toestemming", "Toestemming tot", "Aanbieders", "Buddy",
           "Overlegtafel", "NT2"]
# Differ between the two people, or are set by the clock / the database.
OWN = {"id", "bsn", "client_number", "registered_at", "created_at", "candidate_id",
       "first_name", "search_name"}


def _row(bsn: str, number: str, first_name: str, benefit: str, values) -> list[str]:
    return [first_name, values.tussenvoegsel, values.last_name,
            values.date_of_birth.strftime("%d-%m-%Y"), bsn, number, benefit,
            values.benefit_since.strftime("%d-%m-%Y"), values.phone, values.email,
            values.street, values.postcode, values.place,
            values.consent_given_on.strftime("%d-%m-%Y"),
            values.consent_expires_on.strftime("%d-%m-%Y"), "ja", "ja", "nee", "x"]


def _columns(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in sa.inspect(obj).mapper.column_attrs
            if c.key not in OWN}


def _trail(candidate: Candidate) -> list[tuple]:
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == "Candidate", AuditEvent.subject_id == str(candidate.id))
        .order_by(AuditEvent.object_type)).all()
    return sorted((e.object_type, e.action, e.actor_name, e.actor_user_id,
                   {k: v for k, v in e.changes.items() if k not in OWN})
                  for e in events)


def test_an_imported_candidate_has_the_rows_of_a_registration_by_hand(
        klantmanager_client, world):
    km = world.user("klantmanager")
    kinds = [("Participatiewet", Benefit.PARTICIPATIEWET), ("NUG", Benefit.NUG)]
    rows, hand = [], []
    for n, (label, benefit) in enumerate(kinds):
        values = details(km, benefit=benefit, nt2=True, consent_overlegtafel=False,
                         consent_expires_on=today() + timedelta(days=300),
                         date_of_birth=today().replace(year=1980) - timedelta(days=n))
        rows.append(_row("", f"K-{n}", f"Imp{n}", label, values))
        hand.append({k: getattr(values, k) for k in (
            "benefit", "nt2", "consent_overlegtafel", "consent_expires_on", "date_of_birth")})
    for row, bsn in zip(rows, valid_bsns(2, 300_000_000), strict=True):
        row[4] = bsn
    with klantmanager_client.application.app_context():
        services.save_mapping(None, world.org("Goes"), {
            "first_name": "Voornaam", "tussenvoegsel": "Tussenvoegsel",
            "last_name": "Achternaam", "date_of_birth": "Geboortedatum", "bsn": "BSN",
            "client_number": "Klantnummer", "benefit": "Uitkering",
            "benefit_since": "Uitkering sinds", "phone": "Telefoon", "email": "E-mail",
            "street": "Straat", "postcode": "Postcode", "place": "Woonplaats",
            "consent_given_on": "Toestemming", "consent_expires_on": "Toestemming tot",
            "consent_providers": "Aanbieders", "consent_buddy": "Buddy",
            "consent_overlegtafel": "Overlegtafel", "nt2": "NT2"})
        db.session.commit()
    token = token_of(upload(klantmanager_client, csv_bytes(rows, HEADERS)))
    assert klantmanager_client.post(f"/import/kandidaten/{token}/bevestigen").status_code == 302
    # The same people by hand afterwards (the import refuses a similar name; the form lets
    # the klantmanager overrule it).
    by_hand = [register(world, first_name=f"Hand{n}", client_number=f"H-{n}", **values)
               for n, values in enumerate(hand)]
    db.session.expire_all()
    imported_ids = []
    for n in range(2):
        imported = db.session.scalars(sa.select(Candidate).where(
            Candidate.first_name == f"Imp{n}")).one()
        imported_ids.append(imported.id)
        hand = db.session.get(Candidate, by_hand[n].id)
        assert _columns(imported) == _columns(hand)
        assert imported.client_number == f"K-{n}" and imported.bsn == rows[n][4]
        assert [_columns(p) for p in imported.benefit_periods] == [
            _columns(p) for p in hand.benefit_periods]
        assert len(imported.benefit_periods) == (1 if n == 0 else 0)
        assert _columns(imported.plan) == _columns(hand.plan)
        assert imported.plan.lock_version == 1
        trail = _trail(imported)
        assert trail == _trail(hand)
        assert {t[0] for t in trail} == ({"Candidate", "Plan", "BenefitPeriod"} if n == 0
                                         else {"Candidate", "Plan"})
        lines = db.session.scalars(sa.select(ProcessingLogEntry).where(
            ProcessingLogEntry.action == "import",
            ProcessingLogEntry.subject_id == str(imported.id))).all()
        assert len(lines) == 1 and lines[0].object_id == str(imported.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BenefitPeriod)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 4
    # The derived rows are what a fresh computation gives, for everyone.
    ids = sorted(db.session.scalars(sa.select(Candidate.id)))
    for module, model in ((signal_facts, signal_facts.SignalFact),
                          (connections, connections.ProviderConnection)):
        stored = sorted(sorted((k, str(v)) for k, v in row.items() if k != "id")
                        for row in db.session.execute(sa.select(model.__table__)).mappings())
        fresh = sorted(sorted((k, str(v)) for k, v in row.items() if k != "id")
                       for row in module.rows_for(db.session, ids))
        assert stored == fresh
    assert db.session.scalar(sa.select(sa.func.count()).select_from(signal_facts.SignalFact)
                             .where(signal_facts.SignalFact.candidate_id.in_(imported_ids)))
