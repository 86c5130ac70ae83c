"""Fixtures for the candidate tests: one well-filled Goes file."""

from __future__ import annotations

import pytest

from tests.candidates.support import goes_file


@pytest.fixture
def goes(world):
    """Goes, klantmanager Sanne Bosman, buddy Kees Dekker, consent for all, BSN 111222333."""
    return goes_file(world)
