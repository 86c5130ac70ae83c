"""Canaries: a unique string in every personal field of a few demo candidates.

``KANARIE-<field>-<candidate id>`` in every text field (names, phone, e-mail,
address, pause reason, outflow note, plan texts, goals, steps, barriers,
trainings, measurement notes, stage notes, contact notes and signals, cohort
motivations and agreements, labour claim descriptions); a valid BSN and a date
of birth unique to the candidate. ``scan`` finds them in a response (HTML, CSV,
the cells of an XLSX, the text of a PDF) and says whose data of which category
it shows.

The expectation table (``ALLOWED``) is written here by hand from the field
policy in the issue and docs: it is the specification, never derived from the
code under test.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.candidates.models import (
    Barrier,
    Candidate,
    Goal,
    GoalStep,
    Measurement,
    Plan,
    Training,
)
from trajectory.cohorts.models import CohortAgreement, CohortCandidate
from trajectory.contacts.models import ContactLog
from trajectory.extensions import db
from trajectory.stages.models import Stage
from trajectory.valuation.models import Claim

# field -> data category
CATEGORY = {
    "voornaam": "naam", "achternaam": "naam",
    "telefoon": "contact", "email": "contact",
    "straat": "adres", "plaats": "adres",
    "bsn": "bsn", "geboortedatum": "geboortedatum",
    "pauze": "status", "uitstroom": "status",
    "wensen": "plan", "kunnen": "plan", "nodig": "plan", "afspraken": "plan",
    "doel": "plan", "stap": "plan", "belemmering": "plan", "ondanks": "plan",
    "opgepakt": "plan", "opleiding": "plan",
    "meting": "meting",
    "trajectnotitie": "leerlijn", "eindreden": "leerlijn", "uitkomst": "leerlijn",
    "vervolgstap": "leerlijn", "afwijzing": "leerlijn", "zorgreden": "leerlijn",
    "contactnotitie": "contactlog", "signaal": "contactlog", "afhandeling": "contactlog",
    "motivatie": "motivatie", "ondersteuning": "afspraak",
    "claim": "claim",
}
ALL = frozenset(CATEGORY.values())
_CANARY = re.compile(r"KANARIE-([a-z]+)-(\d+)")


def canary(name: str, candidate_id: int) -> str:
    return f"KANARIE-{name}-{candidate_id}"


def valid_bsn(seed: int) -> str:
    """A BSN that passes the elfproef, unique per seed (starts with 7, not in the demo)."""
    base = 70000000 + seed * 1009
    for offset in range(100):
        digits = f"{base + offset:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return digits + str(last)
    raise AssertionError("no BSN found")


def birth_date(candidate_id: int) -> date:
    return date(1931, 1, 1) + timedelta(days=candidate_id * 37)


@dataclass
class Canary:
    """What was planted for one candidate; the values the scan looks for."""

    candidate_id: int
    municipality: str
    consent_providers: bool
    consent_buddy: bool
    consent_overlegtafel: bool
    bsn: str
    born: date
    planted: set[str] = field(default_factory=set)


def _set(obj, attr: str, name: str, candidate_id: int, planted: set[str]) -> None:
    setattr(obj, attr, canary(name, candidate_id))
    planted.add(name)


def choose(usernames: list[str], count: int = 4) -> list[Candidate]:
    """Per account a candidate in its scope (stages and a cohort seat preferred), plus a
    paused one: every role has a canary to look at."""
    chosen: list[Candidate] = []
    richness = (sa.select(sa.func.count(Stage.id)).where(Stage.candidate_id == Candidate.id)
                .correlate(Candidate).scalar_subquery()
                + sa.select(sa.func.count(CohortCandidate.id))
                .where(CohortCandidate.candidate_id == Candidate.id)
                .correlate(Candidate).scalar_subquery())
    for username in usernames:
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        taken = [c.id for c in chosen]
        candidate = db.session.scalars(
            sa.select(Candidate).where(Candidate.scope_filter(user), Candidate.id.not_in(taken))
            .order_by(richness.desc(), Candidate.id)).first()
        if candidate is not None and len(chosen) < count:
            chosen.append(candidate)
    from trajectory.stages.models import StageStatus

    # The start and end forms: a planned and a running stage.
    for status in (StageStatus.GEPLAND, StageStatus.LOPEND):
        if not any(s.status is status for c in chosen for s in _stages(c.id)):
            extra = db.session.scalars(sa.select(Candidate).join(Stage, Stage.candidate_id
                                                                 == Candidate.id)
                                       .where(Stage.status == status,
                                              Candidate.id.not_in([c.id for c in chosen]))
                                       .order_by(Candidate.id)).first()
            if extra is not None:
                chosen.append(extra)
    paused = db.session.scalars(sa.select(Candidate).where(
        Candidate.pause_reason.is_not(None), Candidate.id.not_in([c.id for c in chosen]))
        .order_by(Candidate.id)).first()
    if paused is not None:
        chosen.append(paused)
    return chosen


def _stages(candidate_id: int) -> list[Stage]:
    return list(db.session.scalars(sa.select(Stage).where(Stage.candidate_id == candidate_id)))


def plant(candidates: list[Candidate]) -> dict[int, Canary]:
    """Write the canaries (the caller commits)."""
    planted: dict[int, Canary] = {}
    for candidate in candidates:
        cid = candidate.id
        names: set[str] = set()
        for attr, name in (("first_name", "voornaam"), ("last_name", "achternaam"),
                           ("phone", "telefoon"), ("street", "straat"), ("place", "plaats"),
                           ("pause_reason", "pauze"), ("outflow_note", "uitstroom")):
            _set(candidate, attr, name, cid, names)
        candidate.tussenvoegsel = None
        candidate.email = f"{canary('email', cid)}@voorbeeld.nl"
        names.add("email")
        candidate.search_name = f"kanarie voornaam {cid} kanarie achternaam {cid}"
        candidate.bsn = valid_bsn(cid)
        candidate.date_of_birth = birth_date(cid)
        plan = db.session.scalars(sa.select(Plan).where(Plan.candidate_id == cid)).first()
        if plan is not None:
            for attr, name in (("wishes", "wensen"), ("skills", "kunnen"), ("needs", "nodig"),
                               ("agreements", "afspraken")):
                _set(plan, attr, name, cid, names)
        for model, attrs in (
            (Goal, (("description", "doel"),)),
            (GoalStep, (("description", "stap"),)),
            (Barrier, (("description", "belemmering"), ("possible_despite", "ondanks"),
                       ("taken_up_by", "opgepakt"))),
            (Training, (("name", "opleiding"),)),
            (Measurement, (("note", "meting"),)),
            (ContactLog, (("note", "contactnotitie"),)),
            (CohortCandidate, (("motivation", "motivatie"),)),
            (CohortAgreement, (("support", "ondersteuning"),)),
        ):
            for row in db.session.scalars(sa.select(model).where(model.candidate_id == cid)):
                for attr, name in attrs:
                    _set(row, attr, name, cid, names)
        for entry in db.session.scalars(sa.select(ContactLog).where(
                ContactLog.candidate_id == cid, ContactLog.signal_category.is_not(None))):
            _set(entry, "signal_text", "signaal", cid, names)
            if entry.signal_handled_at is not None:
                _set(entry, "signal_handled_note", "afhandeling", cid, names)
        for stage in db.session.scalars(sa.select(Stage).where(Stage.candidate_id == cid)):
            _set(stage, "note", "trajectnotitie", cid, names)
            for attr, name in (("end_reason", "eindreden"), ("outcome_note", "uitkomst"),
                               ("next_step_decision", "vervolgstap"),
                               ("decline_reason", "afwijzing"), ("care_reason", "zorgreden")):
                if getattr(stage, attr):
                    _set(stage, attr, name, cid, names)
            for claim in db.session.scalars(sa.select(Claim).where(Claim.stage_id == stage.id)):
                _set(claim, "description", "claim", cid, names)
        planted[cid] = Canary(
            candidate_id=cid, municipality=candidate.municipality.name,
            consent_providers=candidate.consent_providers, consent_buddy=candidate.consent_buddy,
            consent_overlegtafel=candidate.consent_overlegtafel, bsn=candidate.bsn,
            born=candidate.date_of_birth, planted=names)
    db.session.flush()
    return planted


# ------------------------------------------------------------------ reading responses

def response_text(response) -> str:
    """What a person reads in the response: HTML/CSV as is, XLSX cells, PDF text."""
    mimetype = response.mimetype or ""
    if mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data), read_only=True, data_only=True)
        return "\n".join(str(value) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    if mimetype == "application/pdf":
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(response.data)
            handle.flush()
            return subprocess.run(["pdftotext", "-q", handle.name, "-"], check=True,
                                  capture_output=True, text=True, timeout=60).stdout
    return response.get_data(as_text=True)


def scan(text: str, canaries: dict[int, Canary]) -> dict[int, set[str]]:
    """candidate id -> the categories of that person's data the text shows."""
    found: dict[int, set[str]] = {}
    for name, cid in _CANARY.findall(text):
        cid = int(cid)
        if cid in canaries and name in CATEGORY:
            found.setdefault(cid, set()).add(CATEGORY[name])
    flat = re.sub(r"[\s.]", "", text)
    for cid, planted in canaries.items():
        if planted.bsn in flat:
            found.setdefault(cid, set()).add("bsn")
        if (planted.born.strftime("%d-%m-%Y") in text or planted.born.isoformat() in text
                or planted.born.strftime("%d/%m/%Y") in text):
            found.setdefault(cid, set()).add("geboortedatum")
    return found


# ------------------------------------------------------------------ the expectation table

NOTHING: frozenset[str] = frozenset()
NAME = frozenset({"naam"})
# What each demo account may see of a candidate, by the candidate's municipality and
# consent. Written from the field policy (issue 11, docs/candidates.md): the
# overlegtafel only names; a provider's intaker never BSN, address or date of
# birth, and without consent for providers only the name; a buddy never the BSN,
# the address only with consent for the buddy, without that consent only name and
# contact; Social Return (adviser) the people named in labour claims.
MUNICIPALITY = {"klantmanager": "Goes", "klantmanager2": "Tholen"}


def allowed(username: str, planted: Canary) -> frozenset[str]:
    if username in MUNICIPALITY:
        # Another municipality's person: only as a line of an own contract's ledger
        # (the claim's description, the person by initials), as for the adviser.
        return ALL if planted.municipality == MUNICIPALITY[username] else frozenset({"claim"})
    if username == "coordinator":  # the table's own agreements, never the motivations
        return NAME | {"claim", "afspraak"} if planted.consent_overlegtafel else {"claim"}
    if username in ("intaker", "intaker2"):
        if not planted.consent_providers:
            return NAME
        return ALL - {"bsn", "adres", "geboortedatum"}
    if username == "buddy":
        if not planted.consent_buddy:
            return NAME | {"contact"}
        return ALL - {"bsn", "claim"}
    if username == "adviseur":
        return NAME | {"claim"}
    return NOTHING  # beheer: accounts and organisations, no candidate data
