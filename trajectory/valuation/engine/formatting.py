"""Dutch notation for the explanations, kept local so the engine needs no Babel or Flask."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

Number = Decimal | Fraction | int


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round an exact quantity half-up to `places` decimals, without any decimal context.

    In integers (numerator and denominator): the engine rounds hundreds of thousands of
    times per refresh of the stored values, and ``Fraction`` arithmetic was most of that."""
    if isinstance(value, int):
        numerator, denominator = value, 1
    elif isinstance(value, Fraction):
        numerator, denominator = value.numerator, value.denominator
    else:
        numerator, denominator = value.as_integer_ratio()
    numerator *= 10**places
    if numerator >= 0:
        whole = (2 * numerator + denominator) // (2 * denominator)
    else:
        whole = -((denominator - 2 * numerator) // (2 * denominator))
    return Decimal(f"{whole}e-{places}")


def _grouped(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        groups.insert(0, tail)
    groups.insert(0, digits)
    return ".".join(groups)


def format_number(value: Number, places: int = 2) -> str:
    """`1.8333` -> "1,83": Dutch decimal comma and thousands dots, rounded half-up."""
    rounded = round_half_up(value, places)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    return f"{sign}{_grouped(whole)}" + (f",{frac}" if frac else "")


def format_eur(amount: Number) -> str:
    """`Decimal("1500000")` -> "€ 1.500.000,00" (plain space; the web layer uses Babel)."""
    text = format_number(amount, 2)
    return f"-€ {text[1:]}" if text.startswith("-") else f"€ {text}"


def format_quantity(value: Number) -> str:
    """Hours and months: at most two decimals, no trailing zeros ("3", "7,5", "1,52")."""
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def format_percent(value: Decimal) -> str:
    """`Decimal("5")` -> "5%", `Decimal("2.50")` -> "2,5%"."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text}%"


def format_months(months: Number) -> str:
    """ "1 maand", "3 maanden", "1,52 maanden"."""
    text = format_quantity(months)
    return f"{text} maand" if text == "1" else f"{text} maanden"


def format_date(day: date) -> str:
    """Dates as Dutch users read them: dd-mm-jjjj."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"
