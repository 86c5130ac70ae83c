"""Rulebook editions: the 2023 edition is the domain brief's table, and every rate comes from the file."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trajectory.valuation.engine import (
    RULEBOOK_DIR,
    Activity,
    Candidate,
    Contract,
    RulebookError,
    Stage,
    available_rulebooks,
    compute_obligation,
    load_rulebook,
    load_rulebook_file,
    newest_rulebook,
    rulebook_in_force,
    value_activity,
    value_stage,
)

SOURCE = RULEBOOK_DIR / "bouwblokken-2023.toml"


def test_editions_shipped():
    assert available_rulebooks() == ("bouwblokken-2023", "bouwblokken-2025")
    assert newest_rulebook().name == "bouwblokken-2023"
    demo = load_rulebook("bouwblokken-2025")
    assert demo.status == "concept" and not demo.adopted
    assert "Demonstratie" in demo.note
    assert demo.effective_from == date(2025, 1, 1)


def test_edition_in_force_on_a_day():
    assert rulebook_in_force(date(2024, 6, 1)).name == "bouwblokken-2023"
    assert rulebook_in_force(date(2026, 6, 1)).name == "bouwblokken-2023"  # 2025 is only a concept
    assert rulebook_in_force(date(2022, 12, 31)) is None


def test_2023_edition_is_the_domain_table():
    book = load_rulebook("bouwblokken-2023")
    assert book.region == "Oost-Nederland convention, used by Oosterschelde"
    assert (book.effective_from, book.effective_to, book.status) == (
        date(2023, 1, 1),
        None,
        "vastgesteld",
    )
    assert book.fte_hours_per_week == 36
    assert (book.threshold, book.threshold_strictly_above) == (Decimal("200000.00"), True)
    assert book.obligation_percentage == 5 and book.base_period_years == 4
    assert not book.threshold_includes_extensions and book.percentage_includes_extensions
    assert {c.key: c.percentage for c in book.pso_discounts} == {
        "step1": 10,
        "step2": 25,
        "step3": 50,
        "step3_30plus": 100,
    }
    table = {b.key: (b.rate, b.unit, b.counted_for) for b in book.labour}
    assert table == {
        "doelgroepregister": (40000, "per_fte_year", "always"),
        "wajong_wia_wao_wsw": (40000, "per_fte_year", "always"),
        "participatiewet_short": (30000, "per_fte_year", 24),
        "participatiewet_long": (40000, "per_fte_year", 24),
        "ww_short": (10000, "per_fte_year", 12),
        "ww_long": (15000, "per_fte_year", 12),
        "nug": (10000, "per_fte_year", 24),
        "werkervaringsplaats": (750, "per_month", "agreed"),
        "bbl_1_2": (20000, "per_learn_work_year", "training"),
        "bbl_3_4": (15000, "per_learn_work_year", "training"),
        "bol_1_2": (7500, "per_internship", "training"),
        "bol_3_4": (5000, "per_internship", "training"),
        "vso_internship": (5000, "per_internship", "training"),
        "vso_workplace": (25000, "once", "once"),
        "intake": (100, "per_hour", "agreed"),
        "coaching": (100, "per_hour", "agreed"),
    }
    assert {b.key: b.amount for b in book.bonuses} == {
        "age": 5000,
        "permanent": 10000,
        "statushouder": 5000,
    }
    assert book.bonus("age").min_age == 50 and book.bonus_kinds == ("paid_job",)
    assert {s.key: s.percentage for s in book.suppliers} == {
        "code_sociale_onderneming": 100,
        "sw_bedrijf": 100,
        "pso_step3_30plus": 100,
        "social_enterprise_nl": 50,
        "pso_step1": 10,
        "pso_step2": 20,
        "pso_step3": 30,
    }
    assert (book.activity_rate, book.activity_unit, book.purchase_unit) == (
        100,
        "per_hour",
        "invoice_value",
    )


def test_demo_edition_changes_only_what_it_says():
    old, new = load_rulebook("bouwblokken-2023"), load_rulebook("bouwblokken-2025")
    changed = {b.key for b, c in zip(old.labour, new.labour, strict=True) if b != c}
    assert changed == {"ww_short", "bbl_3_4"}
    assert (new.block("ww_short").rate, new.block("bbl_3_4").rate, new.activity_rate) == (
        15000,
        17500,
        110,
    )


def edited(tmp_path: Path, old: str, new: str, name: str = "bouwblokken-2023") -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def replace_in_table(tmp_path: Path, table: str, old: str, new: str) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    start = text.index(f"[{table}]")
    at = text.index(old, start)
    path = tmp_path / "bouwblokken-2023.toml"
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return path


WEP = Stage("werkervaringsplaats", date(2023, 3, 15), date(2023, 6, 14))
JOB = Stage("paid_job", date(2023, 1, 1), date(2023, 12, 31), hours_per_week=36)
PERSON = Candidate("participatiewet", benefit_since=date(2022, 6, 1), birth_date=date(1990, 1, 1))
CONTRACT = Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000.00"))


def test_a_changed_rate_in_the_file_changes_the_value(tmp_path):
    book = load_rulebook_file(
        replace_in_table(tmp_path, "labour.werkervaringsplaats", '"750.00"', '"800.00"')
    )
    assert value_stage(WEP, None, book).value == Decimal("2400.00")
    assert "× € 800,00" in value_stage(WEP, None, book).explain[-1]


def test_fte_hours_come_from_the_file(tmp_path):
    book = load_rulebook_file(
        edited(tmp_path, "fte_hours_per_week = 36", "fte_hours_per_week = 40")
    )
    assert value_stage(JOB, PERSON, book).value == Decimal("27000.00")  # 36/40 FTE x 30.000


def test_caps_and_lines_come_from_the_file(tmp_path):
    book = load_rulebook_file(
        replace_in_table(
            tmp_path, "labour.participatiewet_short", "counted_for = 24", "counted_for = 6"
        )
    )
    assert value_stage(JOB, PERSON, book).value == Decimal("15000.00")

    # The 2-year line is data too: at 6 months the same person is "long-term" on 1 Jan 2023.
    other = tmp_path / "other"
    other.mkdir()
    text = SOURCE.read_text(encoding="utf-8")
    text = text.replace("benefit_under_months = 24", "benefit_under_months = 6")
    text = text.replace("benefit_from_months = 24", "benefit_from_months = 6")
    (other / "bouwblokken-2023.toml").write_text(text, encoding="utf-8")
    book = load_rulebook("bouwblokken-2023", directory=other)
    assert value_stage(JOB, PERSON, book).block == "participatiewet_long"
    assert available_rulebooks(other) == ("bouwblokken-2023",)


def test_obligation_numbers_come_from_the_file(tmp_path):
    book = load_rulebook_file(edited(tmp_path, 'percentage = "5"', 'percentage = "6"'))
    assert compute_obligation(CONTRACT, book).amount == Decimal("90000.00")
    book = load_rulebook_file(
        edited(tmp_path, 'threshold_comparison = "above"', 'threshold_comparison = "at_least"')
    )
    at = Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("200000.00"))
    assert compute_obligation(at, book).amount == Decimal("10000.00")
    book = load_rulebook_file(replace_in_table(tmp_path, "pso_discount.step2", '"25"', '"20"'))
    step2 = Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000"), pso="step2")
    assert compute_obligation(step2, book).amount == Decimal("60000.00")


def test_activity_and_bonus_come_from_the_file(tmp_path):
    book = load_rulebook_file(replace_in_table(tmp_path, "activity", '"100.00"', '"125.00"'))
    assert value_activity(Activity(hours=2), book).value == Decimal("250.00")
    book = load_rulebook_file(
        replace_in_table(tmp_path, "bonuses.age", "min_age = 50", "min_age = 30")
    )
    older = Candidate(
        "participatiewet", benefit_since=date(2022, 6, 1), birth_date=date(1990, 1, 1)
    )
    assert value_stage(JOB, older, book).value == Decimal("35000.00")


def test_no_rate_is_written_in_the_engine_code():
    engine = Path(__file__).parents[2] / "trajectory" / "valuation" / "engine"
    numbers = set()
    for path in engine.glob("*.py"):
        numbers |= set(re.findall(r"(?<![\w.])\d{2,}(?![\w])", path.read_text(encoding="utf-8")))
    rates = {
        "750",
        "5000",
        "7500",
        "10000",
        "15000",
        "20000",
        "25000",
        "30000",
        "40000",
        "200000",
        "36",
        "24",
    }
    assert not numbers & rates, numbers & rates


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('rate = "750.00"', "rate = 750.5", "labour.werkervaringsplaats.rate"),
        ('rate = "750.00"', 'rate = "-1"', "labour.werkervaringsplaats.rate"),
        ('unit = "per_month"', 'unit = "per_week"', "labour.werkervaringsplaats.unit"),
        ('counted_for = "agreed"', 'counted_for = "forever"', "counted_for"),
        ('counted_for = "agreed"', "counted_for = 0", "counted_for"),
        ('kind = "werkervaringsplaats"', 'kind = "wep"', "labour.werkervaringsplaats.kind"),
        (
            'kind = "werkervaringsplaats"\n',
            'kind = "werkervaringsplaats"\ncolour = "red"\n',
            "colour",
        ),
        ('status = "vastgesteld"', 'status = "draft"', "status"),
        ("effective_from = 2023-01-01", "effective_from = 2023-01-01T00:00:00", "effective_from"),
        ("fte_hours_per_week = 36", "fte_hours_per_week = true", "fte_hours_per_week"),
        ('name = "bouwblokken-2023"', 'name = "other"', "name"),
        ("[fund]", "[fonds]", "fund"),
        ('percentage = "50"', 'percentage = "150"', "percentage"),
        ("levels = [1, 2]", "levels = [1, 5]", "levels"),
        ("min_age = 50", "min_age = 50\nmax_age = 60", "max_age"),
        ("[bonuses.statushouder]", "[bonuses.refugee]", "refugee"),
        ("fte_hours_per_week = 36", "fte_hours_per_week = ", "not valid TOML"),
    ],
)
def test_a_broken_edition_is_refused_naming_the_key(tmp_path, old, new, message):
    with pytest.raises(RulebookError, match=re.escape(message)):
        load_rulebook_file(edited(tmp_path, old, new))


def test_a_missing_block_kind_is_refused(tmp_path):
    text = SOURCE.read_text(encoding="utf-8")
    start = text.index("[labour.vso_workplace]")
    end = text.index("[labour.intake]")
    path = tmp_path / "bouwblokken-2023.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulebookError, match="vso_workplace"):
        load_rulebook_file(path)


@pytest.mark.parametrize("name", ["nope", "../rulebooks/bouwblokken-2023", "Bouwblokken-2023", ""])
def test_unknown_edition(name):
    with pytest.raises(KeyError, match="available: bouwblokken-2023"):
        load_rulebook(name)
