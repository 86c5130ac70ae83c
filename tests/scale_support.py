"""A region that grows: ``grow(n)`` bulk-inserts ``n`` candidates beside the demo world, so
a test can ask a page at two sizes and compare the number of queries.

Every candidate trips some signals (no contact for weeks, consent ending, a stage ending
or finished without an outcome, no change for months), sits in a small cohort and is
connected to the demo accounts (the Goes and Tholen klantmanagers, the buddy, the intaker's
provider), so each role's lists and panels grow with ``n``. Core inserts: seconds for a
few hundred candidates. (The demo generator, ``trajectory.demo.generator``, builds a real
region; this is the small one the paging tests need.)

``demo_regions(template, folder, sizes)``: database files of the demo plus a region made
by the demo generator at each size, for the tests that compare a page at two sizes.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.candidates.models import (
    Benefit,
    BuddyAssignment,
    Candidate,
    CandidateStatus,
)
from trajectory.candidates.names import search_name
from trajectory.cohorts.models import Cohort, CohortCandidate, CohortCandidateStatus
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.stages.kinds import StageKind
from trajectory.stages.models import Stage, StageStatus
from trajectory.timeutil import today

FIRST = ("Anna", "Bram", "Chaima", "Daan", "Eva", "Fenna", "Gijs", "Hamza", "Iris", "Jesse")
LAST = ("Bakker", "Visser", "Smit", "Meijer", "de Jong", "Mulder", "Bos", "Vos", "Dekker")

_grown = 0
_regions: dict[tuple[str, int, int], dict[int, str]] = {}


def grow(n: int, seed: int = 0) -> None:
    """Add ``n`` candidates (with buddies, stages, contacts and cohorts) and commit."""
    global _grown
    rng = random.Random(seed + _grown)
    orgs = {o.name: o.id for o in db.session.scalars(sa.select(Organisation))}
    users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
    day = today()
    now = datetime.now(UTC)
    municipalities = [("Goes", users["klantmanager"]), ("Tholen", users["klantmanager2"])]
    first_id = (db.session.scalar(sa.select(sa.func.max(Candidate.id))) or 0) + 1
    candidates = []
    for index in range(n):
        municipality, klantmanager = municipalities[index % 2]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        number = _grown + index
        candidates.append({
            "id": first_id + index,
            "municipality_id": orgs[municipality], "klantmanager_id": klantmanager,
            "first_name": first, "last_name": f"{last} {number}",
            "search_name": search_name(first, None, f"{last} {number}"),
            "date_of_birth": day - timedelta(days=365 * 30 + index),
            "benefit": Benefit.PARTICIPATIEWET, "benefit_since": day - timedelta(days=400),
            "consent_given_on": day - timedelta(days=300),
            "consent_providers": True, "consent_buddy": True, "consent_overlegtafel": True,
            "consent_expires_on": day + timedelta(days=rng.randint(-5, 400)),
            "status": CandidateStatus.ACTIEF,
            "postcode": f"44{60 + index % 30} AB",
            "registered_at": now - timedelta(days=rng.randint(10, 400)),
        })
    db.session.execute(sa.insert(Candidate), candidates)
    buddies = [users["buddy"], users["a.jansen"]]
    db.session.execute(sa.insert(BuddyAssignment), [
        {"candidate_id": c["id"], "buddy_id": buddies[i % 2],
         "start_date": day - timedelta(days=60)} for i, c in enumerate(candidates)])
    db.session.execute(sa.insert(ContactLog), [
        {"candidate_id": c["id"], "buddy_id": buddies[i % 2],
         "contact_on": day - timedelta(days=rng.randint(1, 40)), "kind": ContactKind.GESPREK,
         "note": "", "signal_category": SignalCategory.HUISVESTING if i % 7 == 0 else None,
         "signal_text": "Zorgen over de huur." if i % 7 == 0 else None}
        for i, c in enumerate(candidates)])
    provider = orgs["Zorggroep Scheldezoom"]
    stages = []
    for i, c in enumerate(candidates):
        start = day - timedelta(days=rng.randint(20, 200))
        status = (StageStatus.LOPEND, StageStatus.AFGEROND, StageStatus.VOORGESTELD,
                  StageStatus.GEPLAND)[i % 4]
        stages.append({
            "candidate_id": c["id"], "provider_id": provider,
            "kind": StageKind.WERKERVARINGSPLAATS if i % 3 else StageKind.COACHING,
            "status": status, "planned_start": start,
            "planned_end": day + timedelta(days=rng.randint(-10, 60)),
            "actual_start": start if status in (StageStatus.LOPEND, StageStatus.AFGEROND) else None,
            "actual_end": day - timedelta(days=3) if status == StageStatus.AFGEROND else None,
            "proposed_at": now - timedelta(days=(day - start).days + 10),
            "answer_due": day + timedelta(days=5),
        })
    db.session.execute(sa.insert(Stage), stages)
    cohort_rows, seats = [], []
    first_cohort = (db.session.scalar(sa.select(sa.func.max(Cohort.id))) or 0) + 1
    for offset in range(0, n, 6):
        cohort_id = first_cohort + len(cohort_rows)
        cohort_rows.append({"id": cohort_id, "name": f"Groei {_grown + offset}",
                            "start_quarter": day.replace(day=1, month=1), "description": ""})
        seats += [{"cohort_id": cohort_id, "candidate_id": c["id"],
                   "status": CohortCandidateStatus.ACCEPTED, "motivation": "",
                   "proposed_on": day - timedelta(days=30)}
                  for c in candidates[offset:offset + 6]]
    db.session.execute(sa.insert(Cohort), cohort_rows)
    db.session.execute(sa.insert(CohortCandidate), seats)
    from trajectory.cohorts import signal_facts

    signal_facts.refresh([c["id"] for c in candidates])  # bulk inserts pass the hooks by
    db.session.commit()
    _grown += n


def demo_regions(template: Path | str, folder: Path, sizes: tuple[int, int]
                 ) -> dict[int, str]:
    """SQLite URLs of the demo (``load_demo``) plus a generated region of each size: the
    smaller is built, copied, and grown by the difference (another seed) to the larger."""
    from tests.conftest import base_config
    from trajectory import create_app
    from trajectory.demo.data import load_demo
    from trajectory.demo.generator import generate

    small, large = sorted(sizes)
    # Built once per worker: pytest-xdist may hand a module's tests to a worker in several
    # turns, and each turn would build its module-scoped regions again (seconds each).
    key = (str(template), small, large)
    if key in _regions and all(Path(url.removeprefix("sqlite:///")).exists()
                               for url in _regions[key].values()):
        return _regions[key]
    paths = {small: folder / f"region-{small}.sqlite", large: folder / f"region-{large}.sqlite"}
    shutil.copyfile(template, paths[small])
    for size, step, seed in ((small, small, 1), (large, large - small, 2)):
        if size == large:
            shutil.copyfile(paths[small], paths[large])
        app = create_app(base_config(f"sqlite:///{paths[size]}"))
        with app.app_context():
            if size == small:
                load_demo()
                db.session.commit()
            generate(step, seed=seed)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    _regions[key] = {size: f"sqlite:///{path}" for size, path in paths.items()}
    return _regions[key]
