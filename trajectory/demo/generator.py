"""A generated region beside the demo: ``generate(n, seed)`` adds ``n`` made-up
candidates with their files and learning lines to the demo organisations, so that
every demo account sees a large caseload (``flask --app trajectory demo --candidates``).

Fast because it writes with bulk inserts (``sa.insert(table)`` with lists of rows, in
chunks), with ids it assigns itself; no ORM objects, no audit trail. The invariants
the app relies on are kept by writing what its services would write: every candidate
has a plan, plan versions carry their snapshot, the benefit mirror equals the latest
period, a buddy's assignments never overlap. Deterministic for ``(n, seed)`` on the same
day (dates are relative to today, as in the demo).
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.mfa import DEMO_TOTP_SECRET, encrypt_secret
from trajectory.auth.models import User, UserRole, new_session_token
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role
from trajectory.demo.data import DEMO_PASSWORD, MUNICIPALITIES, PROVIDERS, REGION
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today
from trajectory.valuation.models import Claim, ClaimKind

# Changes when the same (n, seed) would give other rows (benchmarks cache by it).
GENERATOR_VERSION = "2"
MAX_CANDIDATES = 1_000_000
CHUNK = 2_000  # candidates per round of inserts

# Colleagues the generated caseload needs besides the demo accounts: a klantmanager for
# the municipalities without one, intakers for the providers without one, more buddies.
GENERATED_ACCOUNTS = (
    ("n.verhulst", "Nadia Verhulst", "Noord-Beveland", Role.KLANTMANAGER),
    ("w.dekam", "Wim de Kam", "Reimerswaal", Role.KLANTMANAGER),
    ("s.boogaard", "Sophie Boogaard", "Reimerswaal", Role.KLANTMANAGER),
    ("d.vanoost", "Daan van Oost", "Goes", Role.KLANTMANAGER),
    ("y.mahabier", "Yasmin Mahabier", "Schouwen-Duiveland", Role.KLANTMANAGER),
    ("g.kramer", "Gert Kramer", "Tholen", Role.KLANTMANAGER),
    ("j.minderhoud", "Jacoba Minderhoud", "Borsele", Role.KLANTMANAGER),
    ("a.kesteloo", "Astrid Kesteloo", "Kapelle", Role.KLANTMANAGER),
    ("m.hage", "Marleen Hage", PROVIDERS[4], Role.INTAKER),
    ("r.dewit", "Ronald de Wit", PROVIDERS[5], Role.INTAKER),
    ("f.bouzid", "Farid Bouzid", PROVIDERS[1], Role.BUDDY),
    ("i.luijk", "Ilse Luijk", PROVIDERS[0], Role.BUDDY),
    ("c.sandee", "Cor Sandee", PROVIDERS[3], Role.BUDDY),
    ("n.kosten", "Nel Kosten", PROVIDERS[5], Role.BUDDY),
    ("p.vandewege", "Paula van de Wege", PROVIDERS[4], Role.BUDDY),
    ("e.tramper", "Evert Tramper", PROVIDERS[2], Role.BUDDY),
)
# The demo's own buddies carry a larger share, so their lists are long.
BUDDY_WEIGHTS = {"buddy": 6, "a.jansen": 3, "l.vandijke": 2, "e.polderman": 3}


class GeneratorError(ValueError):
    """Bad input for the generator (the command prints it and exits 2)."""


@dataclass
class World:
    """What the generation reads from the database once: organisations and accounts."""

    region_id: int
    municipalities: dict[str, int]
    providers: list[int]                        # in the order of data.PROVIDERS
    klantmanagers: dict[int, list[int]]         # municipality id -> user ids
    intakers: dict[int, list[int]]              # provider id -> user ids
    buddies: list[tuple[int, int, int]]         # (user id, provider id, weight)
    adviser_id: int | None
    coordinator_id: int | None
    user_names: dict[int, str]                  # full names, for free-text "who"


class Ids:
    """The next free id per table, read once and then counted here."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: sa.Table) -> int:
        name = table.name
        if name not in self._next:
            top = db.session.scalar(sa.select(sa.func.max(table.c.id)))
            self._next[name] = (top or 0) + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value

    def peek(self, table: sa.Table) -> int:
        """The id the next row of ``table`` gets (without taking it)."""
        value = self.take(table)
        self._next[table.name] = value
        return value

    @property
    def tables(self) -> list[str]:
        return list(self._next)


@dataclass
class Context:
    """Shared by the feature generators for one run."""

    rng: random.Random
    world: World
    ids: Ids
    day: date                                   # today
    rows: dict[sa.Table, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
        if "id" in table.c and "id" not in row:
            row["id"] = self.ids.take(table)
        self.rows.setdefault(table, []).append(row)
        return row

    def moment(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=UTC)

    def flush(self, order: list[sa.Table]) -> None:
        """Insert what has been collected, parents first, in chunks."""
        for table in order + [t for t in self.rows if t not in order]:
            rows = self.rows.pop(table, None)
            if not rows:
                continue
            # One statement per set of columns (a JSON column left out stays SQL NULL).
            shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:
                shapes.setdefault(tuple(row), []).append(row)
            for same in shapes.values():
                if db.session.get_bind().dialect.name == "postgresql":
                    _copy(table, same)
                    continue
                for start in range(0, len(same), 5_000):
                    db.session.execute(sa.insert(table), same[start:start + 5_000])
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def _copy(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: ``COPY ... FROM STDIN``, many times faster than INSERTs. Each value goes
    through its column type's bind processing (enum values, JSON text), as an INSERT's would."""
    session_connection = db.session.connection()
    dialect = session_connection.dialect
    columns = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    raw = session_connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # names from the models
        for row in rows:
            copy.write_row([process(row[name]) if process is not None else row[name]
                            for name, process in zip(columns, processors, strict=True)])


def check_count(value: Any) -> int:
    """The number of candidates asked for, or ``GeneratorError`` in Dutch."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise GeneratorError(f"het aantal kandidaten moet een geheel getal zijn, niet {value!r}") from None
    if n <= 0:
        raise GeneratorError("het aantal kandidaten moet groter zijn dan 0")
    if n > MAX_CANDIDATES:
        raise GeneratorError(f"het aantal kandidaten mag hoogstens {MAX_CANDIDATES:,} zijn"
                             .replace(",", "."))
    return n


def _ensure_accounts() -> None:
    """The generated colleagues (once; a second run reuses them), with the demo password
    and the published second factor, as the demo's accounts have."""
    existing = set(db.session.scalars(sa.select(User.username)))
    missing = [a for a in GENERATED_ACCOUNTS if a[0] not in existing]
    if not missing:
        return
    orgs = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
    password_hash = hash_password(DEMO_PASSWORD)
    secret = encrypt_secret(DEMO_TOTP_SECRET)
    now = datetime.combine(today(), time(8, 0), tzinfo=UTC)
    ids = Ids()
    users, roles = [], []
    for username, full_name, organisation, role in missing:
        user_id = ids.take(User.__table__)
        users.append({"id": user_id, "username": username, "full_name": full_name,
                      "email": f"{username.replace('.', '')}@voorbeeld.nl",
                      "organisation_id": orgs[organisation], "password_hash": password_hash,
                      "session_token": new_session_token(), "must_change_password": False,
                      "active": True, "created_at": now, "totp_secret": secret,
                      "totp_enrolled_at": now})
        roles.append({"user_id": user_id, "role": role})
    db.session.execute(sa.insert(User.__table__), users)
    db.session.execute(sa.insert(UserRole.__table__), roles)
    _fix_sequences(["user_account"])


def load_world() -> World:
    orgs = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
    missing = [name for name in (REGION, *MUNICIPALITIES, *PROVIDERS) if name not in orgs]
    if missing:
        raise GeneratorError("de demo-organisaties ontbreken: " + ", ".join(missing))
    rows = db.session.execute(
        sa.select(User.id, User.username, User.full_name, User.organisation_id, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id).where(User.active.is_(True))
        .order_by(User.id, UserRole.role)).all()
    municipalities = {name: orgs[name] for name in MUNICIPALITIES}
    providers = [orgs[name] for name in PROVIDERS]
    world = World(region_id=orgs[REGION], municipalities=municipalities, providers=providers,
                  klantmanagers={m: [] for m in municipalities.values()},
                  intakers={p: [] for p in providers}, buddies=[], adviser_id=None,
                  coordinator_id=None, user_names={})
    for user_id, username, full_name, organisation_id, role in rows:
        world.user_names[user_id] = full_name
        if role is Role.KLANTMANAGER and organisation_id in world.klantmanagers:
            world.klantmanagers[organisation_id].append(user_id)
        elif role is Role.INTAKER and organisation_id in world.intakers:
            world.intakers[organisation_id].append(user_id)
        elif role is Role.BUDDY and organisation_id in world.intakers:
            world.buddies.append((user_id, organisation_id, BUDDY_WEIGHTS.get(username, 1)))
        elif role is Role.SROI_ADVISEUR and world.adviser_id is None:
            world.adviser_id = user_id
        elif role is Role.COORDINATOR and world.coordinator_id is None:
            world.coordinator_id = user_id
    empty = [name for name, m in municipalities.items() if not world.klantmanagers[m]]
    if empty:
        raise GeneratorError("geen klantmanager in " + ", ".join(empty))
    return world


def _fix_sequences(tables: list[str]) -> None:
    """PostgreSQL: the id sequences continue after the ids given here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in tables:  # names of the models' tables, never input
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))


# A step gets the context and the candidate rows of one chunk.
Step = Callable[[Context, list[dict[str, Any]]], None]


def generate(n: int, seed: int = 1, *,
             progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Add ``n`` generated candidates (and all that hangs on them) to the demo world;
    returns the rows written per table. The caller commits."""
    from trajectory.demo import (
        generated_cohorts,
        generated_lines,
        generated_people,
        generated_social_return,
    )

    n = check_count(n)
    started = clock.monotonic()
    say = progress or (lambda _line: None)
    _ensure_accounts()
    world = load_world()
    ctx = Context(rng=random.Random(seed), world=world, ids=Ids(), day=today())
    generated_people.prepare(ctx)
    # The few contracts and their claims first, through the services (the engine freezes
    # approved values); the stored values of everyone are computed once, further on.
    with acting_as(Actor(user_id=None, name="demo-generator", organisation_id=None)):
        contract_ids = generated_social_return.contracts(ctx, n)
    db.session.flush()
    say(f"{len(contract_ids)} contracten met declaraties ({clock.monotonic() - started:.0f} s)")
    first_stage_id = ctx.ids.peek(generated_lines.STAGE)
    steps: list[Step] = [generated_people.people, generated_lines.stages,
                         generated_lines.contacts, generated_cohorts.cohorts]
    order = generated_people.ORDER + generated_lines.ORDER + generated_cohorts.ORDER
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        candidates = [generated_people.candidate(ctx) for _ in range(size)]
        for step in steps:
            step(ctx, candidates)
        ctx.flush(order)
        done += size
        say(f"{done:>9,} van {n:,} kandidaten ({clock.monotonic() - started:.0f} s)"
            .replace(",", "."))
    _fix_sequences(ctx.ids.tables)
    _refresh_stored_values(say, started)
    # Labour lines on the stages the stored values credit to a contract, then those
    # candidates' values once more (a line's part of its stage is stored too).
    before = ctx.counts.get("sroi_claim", 0)
    touched = generated_social_return.labour_lines(ctx, first_stage_id)
    ctx.flush(generated_social_return.ORDER)
    lines = ctx.counts.get("sroi_claim", 0) - before
    say(f"{lines:,} arbeidsregels geschreven ({clock.monotonic() - started:.0f} s)"
        .replace(",", "."))
    _fix_sequences(ctx.ids.tables)
    from trajectory.stages import stored_values

    stored_values.refresh(touched)
    _refresh_signal_facts(say, started)
    ctx.counts["sroi_contract"] = len(contract_ids)
    ctx.counts["sroi_claim"] = ctx.counts.get("sroi_claim", 0) + db.session.scalar(
        sa.select(sa.func.count(Claim.id)).where(Claim.contract_id.in_(contract_ids),
                                                 Claim.kind != ClaimKind.LABOUR))
    say(f"{lines:,} arbeidsregels van {len(touched):,} kandidaten gedeclareerd "
        f"({clock.monotonic() - started:.0f} s)".replace(",", "."))
    return dict(sorted(ctx.counts.items()))


def _refresh_signal_facts(say: Callable[[str], None], started: float) -> None:
    """The stored signal facts (``trajectory.cohorts.signal_facts``), rebuilt in bulk: the
    inserts here bypass the ORM events that keep them too."""
    from trajectory.cohorts import signal_facts

    begun = clock.monotonic()
    rows = signal_facts.refresh_all()
    say(f"{rows:,} signaalfeiten opgeslagen in {clock.monotonic() - begun:.0f} s "
        f"({clock.monotonic() - started:.0f} s)".replace(",", "."))
    from trajectory.candidates import connections

    begun = clock.monotonic()
    rows = connections.refresh_all()
    say(f"{rows:,} aanbiederskoppelingen opgeslagen in {clock.monotonic() - begun:.0f} s "
        f"({clock.monotonic() - started:.0f} s)".replace(",", "."))


def _refresh_stored_values(say: Callable[[str], None], started: float) -> None:
    """The stored stage values: inserts here bypass the ORM events that keep them."""
    from trajectory.stages import stored_values

    begun = clock.monotonic()
    stages = stored_values.refresh_all()
    say(f"opgeslagen waarden van {stages:,} trajectstappen herberekend in "
        f"{clock.monotonic() - begun:.0f} s ({clock.monotonic() - started:.0f} s)"
        .replace(",", "."))
