"""The whole bench: for every database and size, a fresh copy served by gunicorn, the
pages timed as their accounts, 16 users at the largest size, then the table."""

from __future__ import annotations

import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from benchmarks import build, report
from benchmarks.client import Browser, LoginFailed, Timed
from benchmarks.load import run_load
from benchmarks.pages import HEALTHZ, PAGES, Probe
from benchmarks.server import Server, gunicorn_settings
from benchmarks.settings import ROOT, Settings, SettingsError

LOCKED = "database is locked"


def say(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def _load_average() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "?"


def machine(settings: Settings, databases: tuple[str, ...]) -> dict:
    postgres = None
    if "postgres" in databases:
        engine = sa.create_engine(settings.postgres_url)
        try:
            with engine.connect() as conn:
                postgres = conn.execute(sa.text("SHOW server_version")).scalar().split()[0]
        finally:
            engine.dispose()
    return {"cores": os.cpu_count(), "python": platform.python_version(), "commit": _commit(),
            "platform": f"{platform.system()} {platform.machine()}",
            "sqlite": sqlite3.sqlite_version, "postgres": postgres,
            "server": gunicorn_settings(), "load_before": _load_average()}


def _commit() -> str:
    """The code measured: the commit, and whether the tree had uncommitted changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,  # noqa: S603, S607
                              check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    if os.environ.get("BENCH_COMMIT"):  # measuring an exported tree (git archive)
        return os.environ["BENCH_COMMIT"]
    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain",
                                                        "--untracked-files=no") else "")


def server_log(path: Path) -> tuple[dict[str, int], int]:
    """The final query count per request id (``query_count`` lines) and how many lines
    of the log say "database is locked"."""
    counts: dict[str, int] = {}
    locked = 0
    for line in path.read_text(errors="replace").splitlines():
        if LOCKED in line.lower():
            locked += 1
        if '"query_count"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "query_count" and entry.get("request_id"):
            # A streamed response logs twice (its view, then the end of the stream): the larger.
            request_id = entry["request_id"]
            counts[request_id] = max(counts.get(request_id, 0), int(entry.get("queries", 0)))
    return counts, locked


def repeats_for(warm_up: float, settings: Settings) -> int:
    """All repeats for a fast page; for a slow one as many as fit in the page budget."""
    if warm_up <= 0:
        return settings.repeats
    return max(1, min(settings.repeats, int(settings.page_budget / warm_up)))


def _measure(browser: Browser, path: str, settings: Settings) -> tuple[list[Timed], str | None]:
    """One warm-up, then the timed requests; an error status stops at the warm-up."""
    warm = browser.get(path)
    if warm.status != 200:
        return [warm], f"{warm.error or 'HTTP ' + str(warm.status)} after {warm.seconds:.1f} s"
    timed = [browser.get(path) for _ in range(repeats_for(warm.seconds, settings))]
    failed = next((t for t in timed if t.status != 200), None)
    if failed is not None:
        return timed, f"{failed.error or 'HTTP ' + str(failed.status)}"
    return timed, None


def _log_in(base: str, username: str, probe: Probe, timeout: float | None = None) -> Browser:
    browser = Browser(base, username) if timeout is None else Browser(base, username, timeout)
    browser.login(probe.fresh_code)
    return browser


def _contact_pools(base: str, probe: Probe, wanted: int) -> list[tuple[str, list[int]]]:
    """Buddy accounts with candidates whose contact form opens for them."""
    pools = []
    for username, candidates in probe.buddy_candidates().items():
        browser = _log_in(base, username, probe)
        usable = [cid for cid in candidates
                  if browser.get(f"/kandidaten/{cid}/contact").status == 200][:10]
        if usable:
            pools.append((username, usable))
        if len(pools) >= wanted:
            break
    return pools


def build_label(built: build.Built) -> str:
    if built.upgraded is not None:
        return f"cached, upgraded by its migrations in {built.upgraded:.0f} s"
    return "cached" if built.cached else f"built in {built.seconds:.0f} s"


def measure_server(built: build.Built, settings: Settings, secret: str, load: bool) -> dict:
    log = settings.directory / f"server-{built.database}-{built.size}.log"
    run: dict = {"database": built.database, "size": built.size,
                 "build": {"seconds": built.seconds, "cached": built.cached,
                           "generated": built.generated, "upgraded": built.upgraded},
                 "pages": []}
    probe = Probe(built.url, secret)
    timings: dict[str, list[Timed]] = {}
    try:
        ids = probe.demo_ids()
        with Server(built.url, secret, log) as server:
            say(f"{built.database} {built.size:,}: gunicorn on {server.base}")
            browsers: dict[str, Browser] = {}
            anonymous = Browser(server.base, "")
            healthz, _ = _measure(anonymous, HEALTHZ.path, settings)
            run["healthz"] = {"samples": [t.seconds for t in healthz[1:] or healthz]}
            timings["/healthz"] = healthz
            for page in PAGES:
                path = page.url(ids)
                row = {"name": page.name, "account": page.account, "path": path}
                if page.export:
                    row["export"] = page.export
                if path is None:
                    row.update(error="not in the demo", samples=[])
                    run["pages"].append(row)
                    continue
                try:
                    if page.account not in browsers:
                        browsers[page.account] = _log_in(server.base, page.account, probe)
                except LoginFailed as error:
                    row.update(error=f"login failed ({error})", samples=[])
                    run["pages"].append(row)
                    continue
                timed, error = _measure(browsers[page.account], path, settings)
                samples = [t.seconds for t in (timed[1:] if len(timed) > 1 else timed)]
                row.update(samples=[] if error else samples, error=error,
                           status=timed[-1].status)
                if page.export and not error:  # its first byte and its rows (per request)
                    kept = timed[1:] if len(timed) > 1 else timed
                    row.update(first_byte=[t.first_byte for t in kept],
                               rows=kept[-1].rows)
                timings[page.name] = timed
                run["pages"].append(row)
                say(f"  {page.name:<28} {report.seconds_label(report.median(samples)):>8}"
                    + (f"  {error}" if error else ""))
            if load and settings.load_seconds > 0:
                try:
                    run["load"] = _load(server.base, probe, run, settings)
                except LoginFailed as error:
                    run["load_error"] = f"login failed ({error})"
                    say(f"  load: not run, {run['load_error']}")
        counts, locked = server_log(log)
        run["healthz"]["queries"] = _queries(timings["/healthz"], counts)
        for row in run["pages"]:
            if row["name"] in timings:
                row["queries"] = _queries(timings[row["name"]], counts)
        if run.get("load") is not None:
            run["load"]["locked"] = locked
        run["locked"] = locked
    finally:
        probe.close()
    return run


def _queries(timed: list[Timed], counts: dict[str, int]) -> int | None:
    """The most statements any of the page's requests ran (they should all be equal)."""
    values = [counts.get(t.request_id, t.queries) for t in timed]
    values = [value for value in values if value is not None]
    return max(values) if values else None


def _load(base: str, probe: Probe, run: dict, settings: Settings) -> dict:
    from trajectory.timeutil import today

    readable = {}
    for row in run["pages"]:
        if not row.get("error") and row["account"]:
            readable.setdefault(row["account"], []).append(row["path"])
    accounts = sorted(readable)
    pools = _contact_pools(base, probe, settings.buddies) if settings.buddies else []
    buddies = []
    for number in range(settings.buddies if pools else 0):
        username, candidates = pools[number % len(pools)]
        buddies.append((_log_in(base, username, probe, settings.load_timeout), candidates))
    readers = []
    for number in range(settings.users - len(buddies)):
        account = accounts[number % len(accounts)]
        readers.append((_log_in(base, account, probe, settings.load_timeout), readable[account]))
    say(f"  load: {len(readers)} readers, {len(buddies)} buddies "
        f"({', '.join(name for name, _ in pools) or 'no buddy with a candidate'}), "
        f"{settings.load_seconds:g} s")
    result = run_load(readers, buddies, settings.load_seconds, today().strftime("%d-%m-%Y"))
    result["timeout"] = settings.load_timeout
    say(f"  load: {result['requests']} requests, {result['requests'] / result['seconds']:.1f}/s, "
        f"{result['errors']} errors, p95 {report.seconds_label(result['p95'])}, "
        f"{result['posted']} contacts posted")
    return result


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _results_path(settings: Settings) -> Path:
    return settings.directory / "results.json"


def main(argv: list[str]) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"fout: {error}", file=sys.stderr)
        return 2
    if argv[:1] == ["report"]:
        path = _results_path(settings)
        if not path.exists():
            print(f"fout: nog geen resultaten in {path}; draai eerst make bench", file=sys.stderr)
            return 2
        report.write_section(settings.output, report.render(json.loads(path.read_text())))
        say(f"wrote {_shown(settings.output)}")
        return 0
    if argv not in ([], ["build"]):
        print("gebruik: python -m benchmarks [build|report]", file=sys.stderr)
        return 2
    # A stopped bench (kill, timeout) still stops its gunicorn: SystemExit unwinds the with.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    settings.directory.mkdir(parents=True, exist_ok=True)
    secret = build.secret_key(settings.directory)
    databases, skipped = settings.databases, []
    if "postgres" in databases:
        problem = build.postgres_problem(settings)
        if problem:
            skipped.append(f"PostgreSQL at {settings.postgres_url} is unreachable ({problem}).")
            say(f"PostgreSQL skipped: unreachable at {settings.postgres_url} ({problem})")
            databases = tuple(name for name in databases if name != "postgres")
    results = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine(settings, databases), "repeats": settings.repeats,
               "page_budget": settings.page_budget, "note": settings.note,
               "skipped": skipped, "runs": []}
    if argv == ["build"]:
        return _build_only(databases, settings, secret)
    for database in databases:
        for size in settings.sizes:
            say(f"{database} {size:,}: preparing the database")
            try:
                built = build.prepare(database, size, settings, secret)
                say(f"{database} {size:,}: " + build_label(built))
                results["runs"].append(measure_server(
                    built, settings, secret, load=size == settings.sizes[-1]))
            except (build.BuildError, RuntimeError) as error:  # a failed build or server
                results["skipped"].append(f"{database} at {size:,} candidates: {error}")
                say(f"{database} {size:,}: skipped, {error}")
            _save(settings, results, started)
    results["machine"]["load_after"] = _load_average()
    _save(settings, results, started)
    report.write_section(settings.output, report.render(results))
    say(f"done in {results['duration']}; wrote {_shown(settings.output)} "
        f"(results in {_shown(_results_path(settings))})")
    return 0


def _build_only(databases: tuple[str, ...], settings: Settings, secret: str) -> int:
    """Fill the cache (``python -m benchmarks build``) without measuring."""
    for database in databases:
        for size in settings.sizes:
            try:
                built = build.prepare(database, size, settings, secret)
            except build.BuildError as error:
                say(f"{database} {size:,}: {error}")
                return 1
            say(f"{database} {size:,}: " + build_label(built))
    return 0


def _save(settings: Settings, results: dict, started: float) -> None:
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    results["duration"] = f"{minutes} min {seconds} s"
    _results_path(settings).write_text(json.dumps(results, indent=2))
