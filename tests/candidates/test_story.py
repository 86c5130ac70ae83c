"""Issue 4's "done when", as one story through the pages."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.candidates.support import register
from trajectory.audit.models import ProcessingLogEntry
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.timeutil import today


def test_register_plan_agree_buddy_measure_and_print(client_for, world):
    sanne, kees, pieter = client_for("klantmanager"), client_for("buddy"), client_for("klantmanager2")
    register(world, first_name="Andere", last_name="Goesenaar", date_of_birth=date(1980, 3, 3))
    day = today().strftime("%d-%m-%Y")

    response = sanne.post("/kandidaten/nieuw", data={
        "first_name": "Ilse", "last_name": "Boone", "date_of_birth": "03-07-1992",
        "benefit": "participatiewet", "benefit_since": "01-03-2024", "bsn": "111222333",
        "phone": "06 24681357", "klantmanager_id": str(world.user("klantmanager").id),
        "consent_given_on": day, "consent_shares": ["consent_buddy", "consent_providers"]})
    assert response.status_code == 302
    candidate = db.session.scalars(sa.select(Candidate).where(Candidate.first_name == "Ilse")).one()
    base = f"/kandidaten/{candidate.id}"

    assert sanne.post(f"{base}/plan/bewerken", data={
        "lock_version": str(candidate.plan.lock_version),
        "wishes": "Ik wil graag in de zorg werken, het liefst met ouderen."}).status_code == 302
    assert sanne.post(f"{base}/plan/doelen/nieuw", data={
        "description": "Snuffelstage in een verpleeghuis", "status": "open"}).status_code == 302
    db.session.expire_all()
    plan = db.session.get(Candidate, candidate.id).plan  # both saves: one version
    assert sanne.post(f"{base}/plan/vaststellen", data={
        "version_number": "1", "lock_version": str(plan.lock_version), "agreed_on": day,
        "with_candidate": "y"}).status_code == 302
    assert sanne.post(f"{base}/buddy", data={
        "buddy_id": str(world.user("buddy").id), "start_date": day,
        "contact_phone": "06 11223344"}).status_code == 302
    assert sanne.post(f"{base}/metingen/nieuw", data={
        "measured_on": day, "rung": "2", "kind": "intake"}).status_code == 302
    pdf = sanne.get(f"{base}/mijn-plan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    db.session.expire_all()
    candidate = db.session.get(Candidate, candidate.id)
    assert candidate.plan.is_agreed and candidate.current_buddy.username == "buddy"
    assert [m.rung for m in candidate.measurements] == [2]

    # the buddy sees only this candidate, without the BSN
    listing = kees.get("/kandidaten").text
    assert "Boone, Ilse" in listing and "Goesenaar" not in listing
    file_page = kees.get(base).text
    assert "Ilse Boone" in file_page and "111222333" not in file_page
    # the klantmanager of Tholen gets 404 on it
    for path in ("", "/plan", "/mijn-plan.pdf", "/bewerken"):
        assert pieter.get(base + path).status_code == 404, path

    logged = db.session.scalars(sa.select(ProcessingLogEntry.action).where(
        ProcessingLogEntry.subject_id == str(candidate.id))).all()
    assert "export" in logged and "view" in logged
