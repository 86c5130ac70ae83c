"""Fixtures for the contact log tests: the candidate tests' Goes file."""

from __future__ import annotations

import pytest

from tests.candidates.support import goes_file


@pytest.fixture
def goes(world):
    """Goes, klantmanager Sanne Bosman, buddy Kees Dekker since 30 days, consent for all."""
    return goes_file(world)
