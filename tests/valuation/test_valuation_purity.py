"""The engine is pure: standard library only, so web pages, CLI and tests share one computation."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]
ENGINE = REPO / "trajectory" / "valuation" / "engine"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "babel", "click")


def test_engine_imports_only_the_standard_library():
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", (
                    f"{path.name} imports {name}"
                )


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )


def test_engine_runs_alone_without_flask_or_sqlalchemy():
    """Loaded on its own (outside the `trajectory` package), it computes and pulls in no web stack."""
    code = f"""
import sys
sys.path.insert(0, {str(ENGINE.parent)!r})
import engine
from datetime import date
from decimal import Decimal
book = engine.newest_rulebook()
contract = engine.Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000"))
assert engine.compute_obligation(contract, book).amount == Decimal("75000.00")
stage = engine.Stage("werkervaringsplaats", date(2023, 3, 15), date(2023, 6, 14))
assert engine.value_stage(stage, None, book, contract).value == Decimal("2250.00")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r} or m.startswith("trajectory"))
print(",".join(loaded))
"""
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_importing_the_engine_adds_no_web_stack():
    """Through the package too: whatever `trajectory` itself imports, the engine adds none of it."""
    code = f"""
import sys
import trajectory
before = set(sys.modules)
import trajectory.valuation.engine
added = set(sys.modules) - before
print(",".join(sorted(m for m in added if m.split(".")[0] in {FORBIDDEN!r})))
"""
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
