"""Retention tests run on the full demo world (tests/retention/support.py)."""

from __future__ import annotations

import pytest

from tests.conftest import BACKEND
from tests.retention.support import build_demo_template, demo_config


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    if BACKEND == "postgres":
        return None
    return build_demo_template(database_template, tmp_path_factory)


@pytest.fixture
def app_config(request, database_uri, tmp_path) -> dict:
    return demo_config(request, database_uri, tmp_path)
