"""The quarterly figures as pure functions over loaded rows (no database): inflow, stages,
moves, outflow, ladder movement, the euros of the pieces per provider, naar rato, what it
yields and the estimate of lower benefit costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trajectory.cohorts.evaluation import (
    Agreement,
    CohortRows,
    LedgerItem,
    Member,
    benefit_saving,
    compute,
    naar_rato_marker,
)
from trajectory.cohorts.stagefacts import StageFact

Q2 = date(2026, 4, 1)
ON = date(2026, 11, 23)
AMOUNTS = {"2026": {"participatiewet": "1450.00"}}


def member(cid: int, joined: date = date(2026, 3, 10), **values) -> Member:
    base = {"pseudonym": f"Kandidaat {chr(64 + cid)}", "municipality": "Goes",
            "benefit": "participatiewet", "status": "actief", "outflow_reason": None,
            "closed_on": None, "joined_on": joined}
    base.update(values)
    return Member(candidate_id=cid, **base)


def stage(sid: int, cid: int, kind: str, start: date, end: date | None = None,
          provider: int = 10, status: str = "lopend", **values) -> StageFact:
    return StageFact(id=sid, candidate_id=cid, provider_id=provider, kind=kind, status=status,
                     start=start, end=end, **values)


def rows(**values) -> CohortRows:
    base = {"cohort_id": 1, "name": "Maartgolf 2026", "start_quarter": date(2026, 1, 1),
            "providers": [(10, "Zorggroep Scheldezoom"), (20, "Welzijn De Bevelanden")],
            "members": [member(1), member(2), member(3, joined=date(2026, 5, 2)),
                        member(4, joined=date(2026, 8, 1))],
            "stages_available": True}
    base.update(values)
    return CohortRows(**base)


def test_inflow_and_membership_follow_the_join_date():
    figures = compute(rows(), Q2, ON, AMOUNTS)
    assert figures["counts"]["candidates"] == 3      # the August joiner is not in Q2
    assert figures["counts"]["inflow"] == 1          # joined in May
    assert figures["as_of"] == "2026-06-30"          # a past quarter: its last day
    assert [m["pseudonym"] for m in figures["members"]] == ["Kandidaat A", "Kandidaat B",
                                                            "Kandidaat C"]


def test_stage_now_moves_and_outflow():
    facts = {
        1: [stage(1, 1, "coaching", date(2026, 2, 1), None, provider=20),
            stage(2, 1, "werkervaringsplaats", date(2026, 3, 1), date(2026, 5, 31)),
            stage(3, 1, "paid_job", date(2026, 6, 1), None, hours_per_week=Decimal("24"))],
        2: [stage(4, 2, "werkervaringsplaats", date(2026, 4, 15), date(2026, 7, 14))],
        3: [stage(5, 3, "bbl", date(2026, 9, 1), None)],  # after Q2
    }
    figures = compute(rows(stages=facts), Q2, ON, AMOUNTS)
    per_stage = {row["kind"]: row["count"] for row in figures["per_stage"]}
    assert per_stage == {"paid_job": 1, "werkervaringsplaats": 1, "geen": 1}
    assert figures["counts"]["in_stage"] == 2
    moves = [(m["candidate"], m["from"], m["to"]) for m in figures["moves"]]
    assert moves == [(1, "werkervaringsplaats", "paid_job"), (2, None, "werkervaringsplaats")]
    assert [(o["candidate"], o["category"]) for o in figures["outflow"]] == [(1, "paid_work")]
    assert figures["counts"]["outflow_paid_work"] == 1
    people = {p["candidate"]: p for p in figures["yield"]["people"]}
    assert people[1]["paid_work_or_bbl"] and people[1]["hours"] == "24"
    assert not people[3]["paid_work_or_bbl"]  # BBL starts after the quarter
    assert figures["yield"]["hours_per_week"] == "24"


def test_outflow_from_the_candidate_status():
    members = [member(1, status="uitgestroomd", outflow_reason="opleiding",
                      closed_on=date(2026, 5, 5)),
               member(2, status="uitgestroomd", outflow_reason="gestopt",
                      closed_on=date(2026, 6, 30)),
               member(3, status="uitgestroomd", outflow_reason="verhuisd",
                      closed_on=date(2026, 7, 1))]  # next quarter
    figures = compute(rows(members=members), Q2, ON, AMOUNTS)
    assert {o["candidate"]: o["category"] for o in figures["outflow"]} == {1: "training",
                                                                           2: "stopped"}
    assert {r["kind"]: r["count"] for r in figures["per_stage"]} == {"uitgestroomd": 2,
                                                                     "geen": 1}


def test_ladder_movement_against_the_start_of_the_quarter():
    ladder = {1: [(date(2026, 2, 1), 2), (date(2026, 5, 1), 3), (date(2026, 6, 20), 4)],
              2: [(date(2026, 4, 10), 3)],                  # only one, in the quarter
              3: [(date(2026, 1, 5), 4), (date(2026, 6, 1), 3)]}
    figures = compute(rows(ladder=ladder), Q2, ON, AMOUNTS)
    changes = {entry["candidate"]: (entry["start"], entry["end"]) for entry in figures["ladder"]}
    assert changes == {1: (2, 4), 2: (3, 3), 3: (4, 3)}
    counts = figures["counts"]
    assert (counts["ladder_up"], counts["ladder_same"], counts["ladder_down"]) == (1, 1, 1)


def piece(cid: int, provider: int, start: date, end: date, status: str, value: str,
          stage_id: int = 1) -> LedgerItem:
    return LedgerItem(cid, provider, stage_id, start, end, status, Decimal(value))


def test_euros_per_provider_are_the_cohort_candidates_pieces_inside_the_quarter():
    ledger = [piece(1, 10, date(2026, 4, 1), date(2026, 4, 30), "approved", "2250.00"),
              piece(1, 10, date(2026, 6, 1), date(2026, 6, 30), "approved", "750.00"),
              piece(1, 10, date(2026, 3, 1), date(2026, 3, 31), "approved", "11111.00"),  # Q1
              piece(1, 10, date(2026, 7, 1), date(2026, 7, 31), "approved", "99999.00"),  # Q3
              piece(2, 20, date(2026, 5, 1), date(2026, 5, 31), "submitted", "1200.00"),
              piece(2, 20, date(2026, 5, 1), date(2026, 5, 31), "valued", "300.00"),
              piece(2, 20, date(2026, 6, 1), date(2026, 6, 30), "rejected", "500.00"),
              piece(9, 10, date(2026, 5, 1), date(2026, 5, 31), "approved", "5450.00"),  # not in it
              piece(4, 10, date(2026, 5, 1), date(2026, 5, 31), "approved", "4444.00"),  # joins later
              piece(1, 30, date(2026, 5, 1), date(2026, 5, 31), "approved", "777.00")]  # not at table
    figures = compute(rows(ledger=ledger), Q2, ON, AMOUNTS)
    providers = {p["id"]: p for p in figures["providers"]}
    assert providers[10]["credited"] == "3000.00" and providers[10]["submitted"] == "0.00"
    assert providers[20]["credited"] == "0.00" and providers[20]["submitted"] == "1200.00"
    assert providers[20]["valued"] == "300.00"   # the rejected part counts nowhere
    assert (figures["credited_total"], figures["submitted_total"], figures["valued_total"]) == (
        "3000.00", "1200.00", "300.00")
    assert figures["version"] == 2


def test_the_open_quarter_counts_the_pieces_up_to_the_as_of_day():
    """The loader cuts the month at the day it loads; a piece after it is not counted yet."""
    ledger = [piece(1, 10, date(2026, 4, 1), date(2026, 4, 30), "valued", "100.00"),
              piece(1, 10, date(2026, 5, 1), date(2026, 5, 10), "valued", "40.00"),
              piece(1, 10, date(2026, 5, 11), date(2026, 5, 31), "valued", "60.00")]
    figures = compute(rows(ledger=ledger), Q2, date(2026, 5, 10), AMOUNTS)
    assert figures["as_of"] == "2026-05-10" and figures["valued_total"] == "140.00"


def test_naar_rato_compares_agreements_with_revenue():
    agreements = [Agreement(1, 10, "werkervaringsplaats", None),
                  Agreement(2, 20, None, "Buddy"), Agreement(3, 20, "coaching", None),
                  Agreement(1, 20, "coaching", None)]
    revenue = {10: Decimal("750000.00"), 20: Decimal("250000.00")}
    figures = compute(rows(agreements=agreements, revenue=revenue), Q2, ON, AMOUNTS)
    providers = {p["id"]: p for p in figures["providers"]}
    assert providers[10]["revenue_share"] == "0.7500"
    assert providers[10]["agreement_share"] == "0.2500"
    assert providers[10]["marker"] == "less" and providers[20]["marker"] == "more"
    assert naar_rato_marker("0.5200", "0.5000", 5) == "fair"
    assert naar_rato_marker("0.5600", "0.5000", 5) == "more"
    assert naar_rato_marker(None, "0.5000", 5) == "unknown"
    # Without revenue figures the share is unknown, never a guess.
    unknown = compute(rows(agreements=agreements, revenue={10: None, 20: None}), Q2, ON)
    assert {p["marker"] for p in unknown["providers"]} == {"unknown"}


def test_the_benefit_estimate_is_months_times_the_configured_amount():
    months, amount, counted = benefit_saving("participatiewet", date(2026, 6, 1),
                                             date(2026, 8, 31), AMOUNTS)
    assert (months, counted) == (3, True)
    assert amount == 3 * Decimal("1450.00")
    # Over a year boundary each year has its own amount; an unknown later year takes the last.
    amounts = {"2025": {"participatiewet": "1400.00"}, "2026": {"participatiewet": "1450.00"}}
    months, amount, _counted = benefit_saving("participatiewet", date(2025, 11, 1),
                                              date(2026, 1, 31), amounts)
    assert months == 3 and amount == 2 * 1400 + 1450
    # A benefit the municipality does not pay has no amount.
    assert benefit_saving("ww", date(2026, 6, 1), date(2026, 8, 31), AMOUNTS)[2] is False


def test_what_it_yields_with_paid_work_and_vacancies():
    facts = {1: [stage(1, 1, "paid_job", date(2026, 5, 1), None, hours_per_week=Decimal("24"),
                       vacancy="Medewerker huishouding")],
             2: [stage(2, 2, "bbl", date(2026, 4, 1), None)]}
    members = [member(1), member(2, benefit="ww"), member(3)]
    figures = compute(rows(members=members, stages=facts), Q2, ON, AMOUNTS)
    assert figures["counts"]["paid_work_or_bbl"] == 2
    assert figures["counts"]["vacancies_filled"] == 1
    [row] = figures["yield"]["benefit_rows"]   # BBL is not paid work off benefit here
    assert (row["candidate"], row["since"], row["until"]) == (1, "2026-05-01", "2026-06-30")
    assert row["months"] == "2.0" and row["amount"] == "2900.00"
    assert figures["yield"]["benefit_estimate"] == "2900.00"


def test_care_stages_never_count():
    facts = {1: [stage(1, 1, "paid_job", date(2026, 5, 1), None, care=True)]}
    figures = compute(rows(stages=facts), Q2, ON, AMOUNTS)
    assert figures["moves"] == [] and figures["outflow"] == []
    assert figures["counts"]["paid_work_or_bbl"] == 0
