"""The pages the bench times (issue 13's list), and the demo records they name.

A path names demo records by key (``{candidate}``); ``Probe.demo_ids`` finds them by
name in the database being measured, so the bench needs no fixed ids. The account is
the role the issue measured the page as.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

# How an export leaves the server, which decides what its targets are measured by
# (benchmarks/README.md): a stream by its first byte and its rows per second, a file
# (complete before its first byte) by its rows per second.
STREAM, FILE = "stream", "file"


@dataclass(frozen=True)
class Page:
    name: str
    account: str | None  # None: anonymous
    path: str
    export: str | None = None  # STREAM or FILE for an export of rows

    def url(self, ids: dict[str, int]) -> str | None:
        """The path with the ids filled in, or None when the demo lacks a record."""
        try:
            return self.path.format(**ids)
        except KeyError:
            return None


HEALTHZ = Page("/healthz", None, "/healthz")
EVALUATION = "/cohorten/{cohort}/evaluaties/"

PAGES: tuple[Page, ...] = (
    # What any logged-in page pays before its own work (session, account, access checks).
    Page("baseline: password form", "klantmanager", "/wachtwoord"),
    Page("klantmanager home", "klantmanager", "/"),
    Page("signals (klantmanager)", "klantmanager", "/signalen"),
    Page("cohort list", "coordinator", "/cohorten"),
    Page("adviser home", "adviseur", "/"),
    Page("coordinator home", "coordinator", "/"),
    Page("candidate list, page 1", "klantmanager", "/kandidaten"),
    Page("candidate list as intaker", "intaker", "/kandidaten"),
    Page("candidate CSV export", "klantmanager", "/kandidaten/export.csv", STREAM),
    Page("candidate Excel export", "klantmanager", "/kandidaten/export.xlsx", FILE),
    Page("region overview", "adviseur", "/sroi/"),
    Page("provider overview", "adviseur", "/sroi/aanbieders/{provider}"),
    Page("one contract's ledger", "adviseur", "/sroi/contracten/{contract}"),
    Page("open quarterly evaluation", "coordinator", EVALUATION + "{open_evaluation}"),
    Page("its PDF pack", "coordinator", EVALUATION + "{open_evaluation}/pakket.pdf"),
    Page("cohort page", "coordinator", "/cohorten/{cohort}"),
    Page("intaker home", "intaker", "/"),
    Page("candidate file", "klantmanager", "/kandidaten/{candidate}"),
    Page("plan", "klantmanager", "/kandidaten/{candidate}/plan"),
    Page("stage page", "klantmanager", "/trajecten/{stage}"),
    Page("contact log", "buddy", "/kandidaten/{candidate}/contacten"),
    Page("closed evaluation", "coordinator", EVALUATION + "{closed_evaluation}"),
)

# The demo records (trajectory/*/demo.py): Fatma Yıldız of Goes with her buddy Kees
# Dekker and her coaching stage, the Goes contract of Zorggroep Scheldezoom, the
# Maartgolf cohort with a closed and an open quarterly evaluation.
CANDIDATE = ("Fatma", "Yıldız")
PROVIDER = "Zorggroep Scheldezoom"
CONTRACT_REFERENCE = "WMO-GOES-%"
COHORT = "Maartgolf%"  # "Maartgolf 2026": the year is the demo's


class Probe:
    """Reads the database being measured, through the app's models (no HTTP)."""

    def __init__(self, url: str, secret: str) -> None:
        from trajectory import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret,
                               "LOG_LEVEL": "WARNING", "RATELIMIT_STORAGE_URI": "memory://"})

    def close(self) -> None:
        from trajectory.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def demo_ids(self) -> dict[str, int]:
        from trajectory.candidates.models import Candidate
        from trajectory.cohorts.models import Cohort, Evaluation
        from trajectory.extensions import db
        from trajectory.organisations.models import Organisation
        from trajectory.stages.kinds import StageKind
        from trajectory.stages.models import Stage
        from trajectory.valuation.models import Contract

        def first(statement) -> int | None:
            return db.session.scalars(statement.limit(1)).first()

        with self.app.app_context():
            ids = {
                "candidate": first(sa.select(Candidate.id).where(
                    Candidate.first_name == CANDIDATE[0], Candidate.last_name == CANDIDATE[1])
                    .order_by(Candidate.id)),
                "provider": first(sa.select(Organisation.id).where(
                    Organisation.name == PROVIDER)),
                "contract": first(sa.select(Contract.id).where(
                    Contract.reference.like(CONTRACT_REFERENCE)).order_by(Contract.id)),
                "cohort": first(sa.select(Cohort.id).where(Cohort.name.like(COHORT)).order_by(Cohort.id)),
            }
            if ids["candidate"] is not None:
                ids["stage"] = first(sa.select(Stage.id).where(
                    Stage.candidate_id == ids["candidate"], Stage.kind == StageKind.COACHING)
                    .order_by(Stage.id))
            if ids["cohort"] is not None:
                by_quarter = sa.select(Evaluation.id).where(
                    Evaluation.cohort_id == ids["cohort"]).order_by(
                    Evaluation.quarter_start.desc())
                ids["open_evaluation"] = first(by_quarter.where(Evaluation.closed_at.is_(None)))
                ids["closed_evaluation"] = first(
                    by_quarter.where(Evaluation.closed_at.is_not(None)))
            db.session.remove()
        return {key: value for key, value in ids.items() if value is not None}

    def buddy_candidates(self, per_buddy: int = 25) -> dict[str, list[int]]:
        """Per buddy account: candidates they accompany today (their contact form opens)."""
        from trajectory.auth.models import User, UserRole
        from trajectory.auth.roles import Role
        from trajectory.candidates.models import BuddyAssignment
        from trajectory.extensions import db
        from trajectory.timeutil import today

        pools: dict[str, list[int]] = {}
        with self.app.app_context():
            buddies = db.session.execute(
                sa.select(User.id, User.username).join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.BUDDY, User.active.is_(True))
                .order_by(User.id)).all()
            for user_id, username in buddies:
                pools[username] = list(db.session.scalars(
                    sa.select(BuddyAssignment.candidate_id)
                    .where(BuddyAssignment.buddy_id == user_id,
                           BuddyAssignment.active_on(today()))
                    .order_by(BuddyAssignment.candidate_id).limit(per_buddy)))
            db.session.remove()
        return {name: ids for name, ids in pools.items() if ids}

    def fresh_code(self, username: str) -> str:
        """The demo account's current TOTP code, its last used step cleared first: the app
        refuses a step used before, and the bench logs an account in more than once."""
        from trajectory.auth import mfa
        from trajectory.auth.models import User
        from trajectory.extensions import db

        with self.app.app_context():
            db.session.execute(sa.update(User).where(User.username == username)
                               .values(totp_last_step=None))
            db.session.commit()
            db.session.remove()
        return mfa.totp(mfa.DEMO_TOTP_SECRET).now()
