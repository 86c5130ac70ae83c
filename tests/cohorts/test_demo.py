"""The demo holds the March and June waves, buddy logs with signals, and one closed
evaluation (K2 of the March wave) with the four answers and two decisions."""

from __future__ import annotations

import sqlalchemy as sa

from trajectory.audit.trail import Actor, acting_as
from trajectory.cohorts import signals as sig
from trajectory.cohorts.models import Cohort, CohortCandidateStatus, next_quarter
from trajectory.contacts.models import ContactKind, ContactLog
from trajectory.demo.data import DEMO_STEPS, load_demo
from trajectory.extensions import db


def test_demo_cohorts_logs_and_a_closed_evaluation(app, client):
    steps = [name for name, _step in DEMO_STEPS]
    for before in ("candidates", "contacts", "stages", "valuation", "labour"):
        assert steps.index(before) < steps.index("cohorts"), steps
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    cohorts = {c.name.split()[0]: c for c in db.session.scalars(sa.select(Cohort))}
    assert set(cohorts) == {"Maartgolf", "Junigolf"}
    maart, juni = cohorts["Maartgolf"], cohorts["Junigolf"]
    assert next_quarter(maart.start_quarter) == juni.start_quarter
    for cohort in (maart, juni):
        assert 5 <= len(cohort.accepted) <= 6 and 5 <= len(cohort.provider_rows) <= 6
        assert cohort.agreements
    assert [r.status for r in juni.candidate_rows].count(CohortCandidateStatus.PROPOSED) == 1
    [closed] = [e for e in maart.evaluations if e.is_closed]
    assert closed.quarter_label.startswith("K2")
    assert closed.works and closed.obstacles and closed.energy and closed.yields
    assert len(closed.decisions) == 2 and all(d.owner for d in closed.decisions)
    assert closed.snapshot["counts"]["candidates"] == len(maart.accepted)
    assert closed.snapshot["version"] == 2
    # A candidate sits at one table at a time.
    seats = [r.candidate_id for c in (maart, juni) for r in c.candidate_rows
             if r.status is not CohortCandidateStatus.DECLINED]
    assert len(seats) == len(set(seats))
    # Each cohort's euros are its own candidates' stages: the providers at both tables
    # show different figures, and the open quarter's euros add up per provider.
    from trajectory.cohorts import loader
    from trajectory.cohorts.evaluation import compute
    from trajectory.cohorts.models import quarter_start
    from trajectory.timeutil import today

    rows = loader.load_rows([maart, juni])
    now = {c.id: compute(rows[c.id], quarter_start(today()), today()) for c in (maart, juni)}
    shared = {p.id for p in maart.providers} & {p.id for p in juni.providers}
    euros = {cid: {p["id"]: (p["credited"], p["submitted"], p["valued"])
                   for p in figures["providers"] if p["id"] in shared}
             for cid, figures in now.items()}
    assert euros[maart.id] != euros[juni.id]
    candidates = {c.id: {m.candidate_id for m in rows[c.id].members} for c in (maart, juni)}
    for cohort in (maart, juni):
        assert {item.candidate_id for item in rows[cohort.id].ledger} <= candidates[cohort.id]
    # Buddy logs: a failed contact, open signals and a handled one; "no contact" trips.
    kinds = set(db.session.scalars(sa.select(ContactLog.kind)))
    assert ContactKind.GEEN_CONTACT in kinds
    open_signals = db.session.scalar(sa.select(sa.func.count(ContactLog.id)).where(
        ContactLog.open_signal()))
    assert open_signals >= 2
    assert db.session.scalar(sa.select(ContactLog.id).where(
        ContactLog.signal_handled_at.is_not(None)))
    counts = sig.cohort_counts([maart.id, juni.id])
    assert counts[maart.id]["geen_contact"] >= 1
    assert counts[maart.id][sig.BUDDY_SIGNAL] >= 1
