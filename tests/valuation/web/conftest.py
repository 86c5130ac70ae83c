"""Social Return web tests: evidence goes to a temporary folder per test."""

from __future__ import annotations

import pytest

from tests.conftest import base_config


@pytest.fixture
def evidence_dir(tmp_path):
    return tmp_path / "evidence"


@pytest.fixture
def app_config(database_uri, evidence_dir) -> dict:
    config = base_config(database_uri)
    config["EVIDENCE_DIR"] = str(evidence_dir)
    return config
