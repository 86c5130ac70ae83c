"""The burgerservicenummer check (elfproef).

A BSN has nine digits; the weighted sum with weights 9, 8, ..., 2, -1 must be
divisible by 11. ``000000000`` passes that sum but is never issued, so it is
refused. The documented test number ``111222333`` passes.
"""

from __future__ import annotations

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def normalise_bsn(value: str) -> str:
    """Drop the spaces, dots and hyphens people type between digit groups."""
    return "".join(ch for ch in value if ch not in " .-\u00a0")


def elfproef_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))


def is_valid_bsn(value: str) -> bool:
    """True for nine ASCII digits that pass the elfproef and are not all zeros."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    if value == "000000000":
        return False
    return elfproef_sum(value) % 11 == 0
