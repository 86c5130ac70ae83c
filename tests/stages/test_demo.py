"""The demo holds the issue's full learning line and stages at every point."""

from __future__ import annotations

import sqlalchemy as sa

from trajectory.audit.trail import Actor, acting_as
from trajectory.candidates.models import Candidate
from trajectory.demo.data import load_demo
from trajectory.extensions import db
from trajectory.stages.models import CareChoice, Stage, StageKind, StageStatus


def test_demo_learning_lines(app):
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    fatma = db.session.scalar(sa.select(Candidate).where(Candidate.first_name == "Fatma"))
    line = list(db.session.scalars(sa.select(Stage).where(Stage.candidate_id == fatma.id)
                                   .order_by(Stage.planned_start)))
    assert [(s.kind, s.provider.name) for s in line] == [
        (StageKind.INTAKE, "Zorggroep Scheldezoom"),
        (StageKind.COACHING, "Stichting Welzijn De Bevelanden"),
        (StageKind.WERKERVARINGSPLAATS, "Stichting Welzijn De Bevelanden"),
        (StageKind.BBL, "Thuiszorg Zeeuwse Stroom"),
        (StageKind.PAID_JOB, "Thuiszorg Zeeuwse Stroom")]
    coaching, wep, bbl, job = line[1:]
    assert coaching.responsible_user.full_name == "Kees Dekker"
    assert coaching.overlaps(wep) and bbl.level == 2
    assert job.permanent and job.hours_per_week == 24 and job.status is StageStatus.LOPEND
    statuses = set(db.session.scalars(sa.select(Stage.status)))
    assert statuses >= {StageStatus.VOORGESTELD, StageStatus.GEPLAND, StageStatus.LOPEND,
                        StageStatus.AFGEROND, StageStatus.AFGEBROKEN, StageStatus.AFGEWEZEN}
    assert db.session.scalar(sa.select(Stage).where(Stage.care_choice == CareChoice.ZORG))
    assert db.session.scalar(sa.select(Stage).where(Stage.via_transfer.is_(True)))
