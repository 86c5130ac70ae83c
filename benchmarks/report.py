"""Statistics, the targets of issue 13 and the Markdown table in docs/performance.md.

Pure functions of the results (a dict as saved in ``results.json``), so the table can be
written again without measuring (``python -m benchmarks report``) and is tested.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Issue 13: every page within 1.3x of its own time at the small size, within 50x /healthz,
# at most 20 queries; 0 errors (and no "database is locked") under load.
MAX_GROWTH = 1.3
MAX_HEALTHZ_RATIO = 50
MAX_QUERIES = 20
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def p95(samples: list[float]) -> float | None:
    """Nearest rank: with 7 samples, the slowest."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _build_label(build: dict) -> str:
    if build.get("upgraded") is not None:
        return (f"cached, built by an earlier commit and upgraded by its migrations in "
                f"{build['upgraded']:.0f} s")
    return "cached" if build["cached"] else f"built in {build['seconds']:.0f} s"


def seconds_label(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.1f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    return f"{value * 1000:.1f} ms"


def size_label(size: int) -> str:
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def ratio_label(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}×" if value < 10 else f"{value:.0f}×"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def rows_per_second(row: dict) -> float | None:
    """An export's rows over its median total time."""
    total = median(row.get("samples") or [])
    return row["rows"] / total if row.get("rows") is not None and total else None


def export_targets(by_size: dict[int, dict]) -> dict:
    """An export's own measures: ``throughput``, its rows per second at the largest size
    over those at the smallest, at least 1/1.3 (the whole time grows with the rows, no
    faster); ``first_byte`` medians per size. A failed export fails it."""
    sizes = sorted(by_size)
    failed = any(row.get("error") for row in by_size.values())
    rates = {size: rows_per_second(row) for size, row in by_size.items()}
    throughput = None
    if not failed and len(sizes) > 1 and rates[sizes[0]] and rates[sizes[-1]]:
        throughput = rates[sizes[-1]] / rates[sizes[0]]
    return {"rates": rates, "throughput": throughput,
            "first_byte": {size: median([t for t in row.get("first_byte") or []
                                         if t is not None]) for size, row in by_size.items()},
            "throughput_ok": False if failed else (
                None if throughput is None else throughput >= 1 / MAX_GROWTH)}


def page_targets(by_size: dict[int, dict], healthz: dict[int, float | None]) -> dict:
    """Per page (its result at each size): the three targets, each True/False/None.

    ``growth``: the largest size's median within 1.3x of the smallest's; ``healthz``: the
    median within 50x /healthz of the same server at every size; ``queries``: at most 20
    at every size. A page that failed (no answer, an error status) fails all three.

    An export is timed by what grows with its rows and what must not (benchmarks/README.md):
    a streamed one's growth and /healthz ratio are of its time to first byte; a file
    (complete before its first byte) has neither, only its rows per second; both add the
    rows-per-second target (``export_targets``, ``throughput_ok``).
    """
    sizes = sorted(by_size)
    failed = any(row.get("error") for row in by_size.values())
    export = next((row.get("export") for row in by_size.values() if row.get("export")), None)
    medians = {size: median(row.get("samples") or []) for size, row in by_size.items()}
    extra: dict = {}
    if export:
        extra = export_targets(by_size)
        medians = extra["first_byte"] if export == "stream" else dict.fromkeys(medians)
    growth = healthz_ratio = None
    if not failed and len(sizes) > 1 and medians[sizes[0]]:
        growth = medians[sizes[-1]] / medians[sizes[0]]
    ratios = [medians[size] / healthz[size] for size in sizes
              if medians[size] is not None and healthz.get(size)]
    if ratios and not failed:
        healthz_ratio = ratios[-1]
    queries = [row.get("queries") for row in by_size.values() if row.get("queries") is not None]
    return {
        **extra,
        "growth": growth,
        "healthz_ratio": healthz_ratio,
        "growth_ok": False if failed else (None if growth is None else growth <= MAX_GROWTH),
        "healthz_ok": False if failed else (
            None if not ratios else all(ratio <= MAX_HEALTHZ_RATIO for ratio in ratios)),
        "queries_ok": False if failed else (
            None if not queries else max(queries) <= MAX_QUERIES),
    }


def load_ok(load: dict) -> bool:
    return load.get("errors", 0) == 0 and load.get("locked", 0) == 0 and load.get("requests", 0) > 0


def _pages_table(runs: list[dict]) -> list[str]:
    sizes = sorted({run["size"] for run in runs})
    small, large = sizes[0], sizes[-1]
    head = ["page", "as"]
    for size in sizes:
        head += [f"{size_label(size)} median", f"{size_label(size)} p95"]
    head += [f"× /healthz ({size_label(large)})"]
    if len(sizes) > 1:
        head += [f"{size_label(large)} / {size_label(small)}"]
    head += ["queries " + " → ".join(size_label(size) for size in sizes)]
    if len(sizes) > 1:
        head += [f"≤ {MAX_GROWTH}× {size_label(small)}"]
    head += [f"≤ {MAX_HEALTHZ_RATIO}× /healthz", f"≤ {MAX_QUERIES} queries"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    healthz = {run["size"]: median(run["healthz"]["samples"]) for run in runs}
    by_size_run = {run["size"]: run for run in runs}
    cells = ["/healthz", "—"]
    for size in sizes:
        samples = by_size_run[size]["healthz"]["samples"]
        cells += [seconds_label(median(samples)), seconds_label(p95(samples))]
    cells += ["1×"] + (["—"] if len(sizes) > 1 else []) + [
        " → ".join(str(by_size_run[size]["healthz"].get("queries", "—")) for size in sizes)]
    cells += [""] * (len(head) - len(cells))
    lines.append("| " + " | ".join(cells) + " |")
    names = list(dict.fromkeys(page["name"] for run in runs for page in run["pages"]))
    passed = 0
    for name in names:
        by_size = {run["size"]: next(p for p in run["pages"] if p["name"] == name)
                   for run in runs if any(p["name"] == name for p in run["pages"])}
        account = next(iter(by_size.values()))["account"]
        cells = [name, account or "—"]
        for size in sizes:
            row = by_size.get(size)
            if row is None or row.get("error"):
                cells += [row["error"] if row else "—", "—"]
            else:
                cells += [seconds_label(median(row["samples"])), seconds_label(p95(row["samples"]))]
        targets = page_targets(by_size, healthz)
        cells.append(ratio_label(targets["healthz_ratio"]))
        if len(sizes) > 1:
            cells.append(ratio_label(targets["growth"]))
        cells.append(" → ".join(
            str(by_size[size]["queries"]) if size in by_size
            and by_size[size].get("queries") is not None else "—" for size in sizes))
        verdicts = ([targets["growth_ok"]] if len(sizes) > 1 else []) + [
            targets["healthz_ok"], targets["queries_ok"]]
        cells += [verdict(ok) for ok in verdicts]
        passed += all(ok is not False for ok in verdicts + [targets.get("throughput_ok")])
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{passed} of {len(names)} pages within every target.")
    exports = _exports_table(runs, sizes, names)
    if exports:
        lines += ["", *exports]
    return lines


def _exports_table(runs: list[dict], sizes: list[int], names: list[str]) -> list[str]:
    """Per export: rows, time to first byte, total and rows per second at each size."""
    small, large = sizes[0], sizes[-1]
    head = ["export", "as", "rows " + " → ".join(size_label(size) for size in sizes)]
    for size in sizes:
        head += [f"{size_label(size)} first byte", f"{size_label(size)} total",
                 f"{size_label(size)} rows/s"]
    if len(sizes) > 1:
        head += [f"first byte {size_label(large)} / {size_label(small)}",
                 f"rows/s {size_label(large)} / {size_label(small)}",
                 f"rows/s ≥ 1/{MAX_GROWTH}"]
    lines = []
    for name in names:
        by_size = {run["size"]: row for run in runs for row in run["pages"]
                   if row["name"] == name and row.get("export")}
        if not by_size:
            continue
        targets = export_targets(by_size)
        some = next(iter(by_size.values()))
        cells = [name, some["account"] or "—", " → ".join(
            f"{by_size[size]['rows']:,}" if by_size.get(size, {}).get("rows") is not None
            else "—" for size in sizes)]
        for size in sizes:
            row = by_size.get(size, {})
            rate = targets["rates"].get(size)
            cells += [seconds_label(targets["first_byte"].get(size)),
                      seconds_label(median(row.get("samples") or [])),
                      f"{rate:,.0f}" if rate else "—"]
        if len(sizes) > 1:
            first = targets["first_byte"]
            growth = (first[large] / first[small] if some.get("export") == "stream"
                      and first.get(small) and first.get(large) else None)
            cells += [ratio_label(growth), "—" if targets["throughput"] is None
                      else f"{targets['throughput']:.2f}", verdict(targets["throughput_ok"])]
        lines.append("| " + " | ".join(cells) + " |")
    if not lines:
        return []
    return ["Exports: a streamed one (CSV) is judged by its time to first byte (the growth "
            "and /healthz columns above) and its rows per second; a file (Excel, complete "
            "before its first byte) by its rows per second (benchmarks/README.md).", "",
            "| " + " | ".join(head) + " |", "|" + " --- |" * len(head), *lines]


def _load_table(runs: list[dict]) -> list[str]:
    rows = [run for run in runs if run.get("load")]
    failed = [f"{LABELS.get(run['database'], run['database'])} at {run['size']:,}: "
              f"{run['load_error']}" for run in runs if run.get("load_error")]
    if not rows:
        return [f"Not run: {reason}." for reason in failed]
    lines = ["| database | candidates | users (buddies) | seconds | requests | requests/s | "
             "errors | median | p95 | contacts posted | \"database is locked\" | 0 errors |",
             "|" + " --- |" * 12]
    for run in rows:
        load = run["load"]
        lines.append(
            f"| {LABELS.get(run['database'], run['database'])} | {run['size']:,} | "
            f"{load['users']} ({load['buddies']}) | {load['seconds']:.0f} | {load['requests']} | "
            f"{load['requests'] / load['seconds']:.1f} | {load['errors']} | "
            f"{seconds_label(load.get('median'))} | {seconds_label(load.get('p95'))} | "
            f"{load.get('posted', 0)} | {load.get('locked', 0)} | {verdict(load_ok(load))} |")
        if load.get("error_samples"):
            lines.append("")
            lines.append("Errors under load (first few): " + "; ".join(
                f"`{sample}`" for sample in load["error_samples"]))
    return lines


def _load_timeout(results: dict) -> float:
    return next((run["load"].get("timeout", 60) for run in results.get("runs", [])
                 if run.get("load")), 60)


def render(results: dict) -> str:
    """The bench's section of docs/performance.md, between its markers."""
    machine = results.get("machine", {})
    out = [START, "## Benchmarks (`make bench`)", ""]
    out.append(f"Measured {results.get('date', '?')} in {results.get('duration', '?')} "
               f"(code: {machine.get('commit', '?')}) on "
               f"{machine.get('cores', '?')} cores ({machine.get('platform', '?')}), "
               f"Python {machine.get('python', '?')}, SQLite {machine.get('sqlite', '?')}, "
               f"PostgreSQL {machine.get('postgres') or 'not measured'}; "
               f"{machine.get('server', 'gunicorn')}; load average "
               f"{machine.get('load_before', '?')} before, {machine.get('load_after', '?')} after.")
    out.append("")
    out.append(f"Each page: {results.get('repeats', 7)} timed requests after one warm-up "
               f"(a slow page fewer: as many as fit in {results.get('page_budget', 20):g} s "
               "by its warm-up, at least one), "
               "as the demo account in the column \"as\", logged in through the login form "
               "with its second factor; queries are the SQL statements of one request "
               "(`TRAJECTORY_QUERY_COUNT_HEADER`, the final count of a streamed export from "
               "the log). A page without an answer within 180 s shows `ReadTimeout`. "
               "Sizes are generated candidates beside the demo "
               "(`flask --app trajectory demo --candidates N --seed 1`).")
    if results.get("note"):
        out += ["", results["note"]]
    for skipped in results.get("skipped", []):
        out += ["", f"Skipped: {skipped}"]
    for database in ("sqlite", "postgres"):
        runs = sorted((run for run in results.get("runs", []) if run["database"] == database),
                      key=lambda run: run["size"])
        if not runs:
            continue
        out += ["", f"### {LABELS[database]}", ""]
        builds = ", ".join(
            f"{run['size']:,}: " + _build_label(run["build"])
            + ("" if run["build"]["generated"] else " (plain demo: no generator)")
            for run in runs)
        out += [f"Databases: {builds}.", ""]
        out += _pages_table(runs)
    load_lines = _load_table(results.get("runs", []))
    if load_lines:
        out += ["", "### Under load", "",
                "Readers walk the pages above that answered when measured alone (each as its "
                "account, in a shuffled order); "
                "buddies post contacts through the contact form. An error is an answer other "
                "than 200 (a saved contact: 302) or no answer within "
                f"{_load_timeout(results):g} s (a proxy's usual timeout). \"database is "
                "locked\" counts the lines of the server log that say so.", ""]
        out += load_lines
    out += ["", END]
    return "\n".join(out) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the bench's own section (between the markers); keep everything else."""
    text = path.read_text() if path.exists() else "# Performance\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
