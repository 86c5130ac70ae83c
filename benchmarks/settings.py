"""The bench's settings, from ``BENCH_*`` environment variables (defaults: the issue's)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASES = ("sqlite", "postgres")


class SettingsError(ValueError):
    """A ``BENCH_*`` value the bench cannot use (the command exits 2 with its message)."""


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = (1_000, 100_000)
    databases: tuple[str, ...] = DATABASES
    directory: Path = ROOT / "instance" / "bench"
    # Any database of the server, to create and copy bench_<size> from.
    postgres_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    repeats: int = 7  # timed requests per page, after one warm-up
    # A slow page gets fewer: as many as its warm-up says fit in this many seconds (>= 1).
    page_budget: float = 20.0
    load_seconds: float = 60.0
    # Under load a request that takes longer counts as an error (a proxy's usual timeout).
    load_timeout: float = 60.0
    users: int = 16
    buddies: int = 4  # of the users, posting contacts; the others read pages
    seed: int = 1
    output: Path = ROOT / "docs" / "performance.md"
    note: str = ""  # a line for the report (a shared machine, ...)
    # A cached build of an older migration head or generator is upgraded with its
    # migrations (flask db upgrade), as a deployment would be, instead of built again.
    upgrade: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def number(name: str, default, kind=int, minimum=0):
            raw = environ.get(name, "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r} is geen getal") from None
            if value < minimum:
                raise SettingsError(f"{name}={raw!r} moet minstens {minimum} zijn")
            return value

        sizes = cls.sizes
        if environ.get("BENCH_SIZES", "").strip():
            try:
                sizes = tuple(int(part.replace("_", "")) for part in
                              environ["BENCH_SIZES"].replace(",", " ").split())
            except ValueError:
                raise SettingsError(
                    f"BENCH_SIZES={environ['BENCH_SIZES']!r}: geef aantallen kandidaten, "
                    "bijvoorbeeld BENCH_SIZES=\"1000 100000\"") from None
            if not sizes or any(size < 0 for size in sizes):
                raise SettingsError("BENCH_SIZES: aantallen van 0 of meer")
            sizes = tuple(sorted(set(sizes)))
        databases = cls.databases
        if environ.get("BENCH_DATABASES", "").strip():
            databases = tuple(environ["BENCH_DATABASES"].replace(",", " ").split())
            unknown = [name for name in databases if name not in DATABASES]
            if unknown or not databases:
                raise SettingsError(f"BENCH_DATABASES: kies uit {' '.join(DATABASES)} "
                                    f"(niet: {' '.join(unknown)})")
        users = number("BENCH_USERS", cls.users, minimum=1)
        return cls(
            sizes=sizes, databases=databases,
            directory=Path(environ.get("BENCH_DIR") or cls.directory),
            postgres_url=environ.get("BENCH_POSTGRES_URL") or cls.postgres_url,
            repeats=number("BENCH_REPEATS", cls.repeats, minimum=1),
            page_budget=number("BENCH_PAGE_BUDGET", cls.page_budget, float),
            load_seconds=number("BENCH_LOAD_SECONDS", cls.load_seconds, float),
            load_timeout=number("BENCH_LOAD_TIMEOUT", cls.load_timeout, float, minimum=1),
            users=users, buddies=min(number("BENCH_BUDDIES", cls.buddies), users),
            seed=number("BENCH_SEED", cls.seed),
            output=Path(environ.get("BENCH_OUTPUT") or cls.output),
            note=environ.get("BENCH_NOTE", "").strip(),
            upgrade=environ.get("BENCH_UPGRADE", "").strip().lower() in {"1", "true", "yes"},
        )
