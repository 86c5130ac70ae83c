"""The benchmark harness's pure parts (benchmarks/, make bench) and the query-count header.

The full bench (building 100,000 candidates, gunicorn, 16 users) is not run here.
"""

from __future__ import annotations

import pytest

from tests.conftest import base_config
from trajectory import create_app
from trajectory.querycount import HEADER


@pytest.fixture
def app_config(database_uri) -> dict:
    return {**base_config(database_uri), "QUERY_COUNT_HEADER": True}


def test_query_count_header_is_the_number_of_statements(client_for, count_queries):
    klantmanager = client_for("klantmanager")
    for path in ("/", "/kandidaten", "/signalen"):
        with count_queries() as counter:
            response = klantmanager.get(path)
        assert response.status_code == 200
        assert int(response.headers[HEADER]) == counter.count > 1, path


def test_query_count_header_on_a_page_without_database(client):
    assert client.get("/healthz").headers[HEADER] == "0"


def test_query_count_header_absent_by_default(database_uri):
    app = create_app(base_config(database_uri))
    response = app.test_client().get("/inloggen")
    assert response.status_code == 200
    assert HEADER not in response.headers


# ------------------------------------------------------------------ the harness's pure parts


def _run(database: str, size: int, medians: dict[str, float], queries: dict[str, int],
         *, healthz: float = 0.002, load: dict | None = None) -> dict:
    run = {"database": database, "size": size,
           "build": {"seconds": 12.0, "cached": False, "generated": True},
           "healthz": {"samples": [healthz] * 7, "queries": 0},
           "pages": [{"name": name, "account": "klantmanager", "path": "/", "error": None,
                      "samples": [value] * 6 + [value * 2], "queries": queries[name]}
                     for name, value in medians.items()]}
    if load is not None:
        run["load"] = load
    return run


def test_median_and_p95_by_nearest_rank():
    from benchmarks.report import median, p95

    assert median([3, 1, 2]) == 2
    assert p95([1, 2, 3, 4, 5, 6, 7]) == 7  # seven samples: the slowest
    assert p95(list(range(1, 21))) == 19
    assert median([]) is None and p95([]) is None


@pytest.mark.parametrize(("small", "large", "queries", "expected"), [
    (0.020, 0.025, 12, (True, True, True)),     # 1.25x, 12.5x /healthz
    (0.020, 0.030, 12, (False, True, True)),    # grew 1.5x
    (0.020, 0.120, 12, (False, False, True)),   # 60x /healthz at the large size
    (0.020, 0.021, 21, (True, True, False)),    # one query too many
])
def test_page_targets(small, large, queries, expected):
    from benchmarks.report import page_targets

    by_size = {1000: {"samples": [small] * 7, "queries": queries},
               100000: {"samples": [large] * 7, "queries": queries}}
    targets = page_targets(by_size, {1000: 0.002, 100000: 0.002})
    assert (targets["growth_ok"], targets["healthz_ok"], targets["queries_ok"]) == expected
    assert targets["growth"] == pytest.approx(large / small)


def test_a_page_that_failed_fails_every_target():
    from benchmarks.report import page_targets

    by_size = {1000: {"samples": [0.01] * 7, "queries": 5},
               100000: {"samples": [], "queries": None, "error": "HTTP 500 after 4.0 s"}}
    targets = page_targets(by_size, {1000: 0.002, 100000: 0.002})
    assert not any((targets["growth_ok"], targets["healthz_ok"], targets["queries_ok"]))


def test_render_writes_one_row_per_page_with_its_verdicts():
    from benchmarks.report import END, START, render

    load = {"users": 16, "buddies": 4, "seconds": 60.0, "requests": 600, "errors": 0,
            "median": 0.1, "p95": 0.4, "posted": 80, "locked": 0, "error_samples": []}
    results = {"date": "2026-12-03 12:30 UTC", "duration": "9 min 2 s", "note": "Noisy.",
               "machine": {"cores": 2, "python": "3.11.7", "sqlite": "3.40.1",
                           "postgres": "15.2"},
               "runs": [_run("sqlite", 1000, {"home": 0.020, "list": 0.010},
                             {"home": 12, "list": 25}),
                        _run("sqlite", 100000, {"home": 0.022, "list": 0.030},
                             {"home": 12, "list": 25}, load=load)]}
    text = render(results)
    assert text.startswith(START) and text.rstrip().endswith(END)
    assert "### SQLite" in text and "### PostgreSQL" not in text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}
    assert rows["home"].endswith("| 20 ms | 40 ms | 22 ms | 44 ms | 11× | 1.1× | 12 → 12 "
                                 "| PASS | PASS | PASS |")
    assert rows["list"].endswith("| 3.0× | 25 → 25 | FAIL | PASS | FAIL |")
    assert "1 of 2 pages within every target." in text
    assert rows["SQLite"].endswith("| 600 | 10.0 | 0 | 100 ms | 400 ms | 80 | 0 | PASS |")
    assert "Noisy." in text


def test_write_section_keeps_what_others_wrote(tmp_path):
    from benchmarks.report import END, START, write_section

    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n## Generated data\n\n100,000 in 3 minutes.\n")
    write_section(doc, f"{START}\nfirst\n{END}\n")
    write_section(doc, f"{START}\nsecond\n{END}\n")
    text = doc.read_text()
    assert text.startswith("# Performance\n\n## Generated data\n\n100,000 in 3 minutes.\n")
    assert "second" in text and "first" not in text
    assert text.count(START) == text.count(END) == 1


def test_settings_from_the_environment():
    from benchmarks.settings import Settings, SettingsError

    settings = Settings.from_env({"BENCH_SIZES": "10000 1000", "BENCH_DATABASES": "sqlite",
                                  "BENCH_LOAD_SECONDS": "5"})
    assert settings.sizes == (1000, 10000)
    assert settings.databases == ("sqlite",)
    assert settings.load_seconds == 5
    assert Settings.from_env({}).sizes == (1000, 100000)
    for bad in ({"BENCH_SIZES": "veel"}, {"BENCH_DATABASES": "mysql"},
                {"BENCH_REPEATS": "0"}):
        with pytest.raises(SettingsError):
            Settings.from_env(bad)


def test_an_older_build_is_upgraded_only_when_asked_and_only_its_code_differs():
    from benchmarks.build import upgradable
    from benchmarks.settings import Settings

    key = {"database": "sqlite", "size": 100000, "seed": 1, "migration_head": "0022@b",
           "generator_version": "g2", "secret": "s"}
    older = {"key": {**key, "migration_head": "0017@a", "generator_version": "g1"}}
    asked = Settings.from_env({"BENCH_UPGRADE": "1"})
    assert upgradable(older, key, asked)
    assert not upgradable(older, key, Settings.from_env({}))
    for other in ({"size": 1000}, {"seed": 2}, {"secret": "t"}, {"database": "postgres"}):
        assert not upgradable({"key": {**older["key"], **other}}, key, asked)
    assert not upgradable(None, key, asked)


def test_server_log_gives_final_counts_and_locked_lines(tmp_path):
    from benchmarks.runner import server_log

    log = tmp_path / "server.log"
    log.write_text(
        '{"message": "request", "request_id": "bench-1", "path": "/"}\n'
        '{"message": "query_count", "request_id": "bench-1", "queries": 2}\n'
        '{"message": "query_count", "request_id": "bench-1", "queries": 14}\n'
        "sqlite3.OperationalError: database is locked\n"
        "[ERROR] Database is locked (retrying)\n")
    counts, locked = server_log(log)
    assert counts == {"bench-1": 14}
    assert locked == 2


def test_csrf_token_from_a_form():
    from benchmarks.client import LoginFailed, csrf_token

    html = '<form><input id="csrf_token" name="csrf_token" type="hidden" value="abc.def"></form>'
    assert csrf_token(html) == "abc.def"
    with pytest.raises(LoginFailed):
        csrf_token("<form></form>")


# ------------------------------------------------------------------ exports: first byte, rows/s

def _export(kind: str, total: float, first_byte: float, rows: int) -> dict:
    return {"name": f"{kind} export", "account": "klantmanager", "path": "/x", "error": None,
            "export": kind, "samples": [total] * 7, "first_byte": [first_byte] * 7,
            "rows": rows, "queries": 3}


@pytest.mark.parametrize(("kind", "large", "expected"), [
    # a stream whose first byte stays and whose rows/s stays: within its targets,
    # although its whole time grew 100x with its rows
    ("stream", (10.0, 0.010, 100_000), (True, True, True)),
    # a stream whose first byte waits for the rows
    ("stream", (10.0, 5.0, 100_000), (False, False, True)),
    # rows/s halved at the large size: the whole time grew faster than the rows
    ("stream", (20.0, 0.010, 100_000), (True, True, False)),
    # a file: no first-byte target, only rows/s
    ("file", (10.0, 10.0, 100_000), (None, None, True)),
    ("file", (20.0, 20.0, 100_000), (None, None, False)),
])
def test_an_export_is_judged_by_its_first_byte_and_rows_per_second(kind, large, expected):
    from benchmarks.report import page_targets

    by_size = {1000: _export(kind, 0.1, 0.010 if kind == "stream" else 0.1, 1000),
               100000: _export(kind, *large)}
    targets = page_targets(by_size, {1000: 0.002, 100000: 0.002})
    assert (targets["growth_ok"], targets["healthz_ok"], targets["throughput_ok"]) == expected
    assert targets["rates"] == {1000: pytest.approx(10_000),
                                100000: pytest.approx(large[2] / large[0])}


def test_render_has_an_exports_table_and_counts_rows_per_second():
    from benchmarks.report import render

    runs = [_run("sqlite", size, {"home": 0.02}, {"home": 12}) for size in (1000, 100000)]
    runs[0]["pages"].append(_export("stream", 0.1, 0.01, 1000))
    runs[1]["pages"].append(_export("stream", 20.0, 0.01, 100_000))  # rows/s halved
    text = render({"runs": runs})
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}
    assert rows["export"].startswith("| export | as | rows 1k → 100k | 1k first byte |")
    assert rows["stream export"].endswith("| 1,000 → 100,000 | 10 ms | 100 ms | 10,000 "
                                          "| 10 ms | 20.0 s | 5,000 | 1.0× | 0.50 | FAIL |")
    assert "1 of 2 pages within every target." in text  # the export misses rows/s


def test_export_rows_are_counted_from_the_file():
    import io

    import openpyxl

    from benchmarks.client import export_rows

    assert export_rows("text/csv; charset=utf-8", "\ufeffa;b\r\n1;2\r\n3;4\r\n".encode()) == 2
    book = openpyxl.Workbook()
    for row in (["Naam"], ["Jan"], ["Fatma"], ["Zoë"]):
        book.active.append(row)
    body = io.BytesIO()
    book.save(body)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert export_rows(xlsx, body.getvalue()) == 3
    assert export_rows(xlsx, b"not a zip") is None
    assert export_rows("text/html; charset=utf-8", b"<p>") is None
