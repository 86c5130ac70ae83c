"""The cohort's euros: only the stages of the cohort's candidates, only their days in the
quarter, valued by the product's one valuation (trajectory.stages.valuation) and, inside
a labour line, with its claim status; data built through the real services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.cohorts.support import (
    PROVIDERS,
    euros_of,
    figures_of,
    labour_line,
    make_cohort,
    paid_job,
    person,
    seat,
    work_experience,
)
from tests.valuation.web.sample import make_contract
from trajectory.cohorts import euros, loader
from trajectory.cohorts.models import Cohort
from trajectory.extensions import db
from trajectory.stages.models import CareChoice
from trajectory.stages.valuation import people

P1, P2 = PROVIDERS[0], PROVIDERS[1]
Q1, Q2, Q3 = date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)
JOINED = date(2025, 1, 6)


@pytest.fixture
def contracts(world):
    """Goes with Zorggroep Scheldezoom and with Welzijn De Bevelanden, 2024-2027."""
    return (make_contract(world), make_contract(world, provider=P2, reference="TEST-002"))


def cohort(world, name: str) -> Cohort:
    return make_cohort(world, name=name, start=Q1, providers=(P1, P2))


def value_of(stage) -> Decimal:
    return people([stage.candidate_id])[stage.candidate_id].value(stage.id).value


def part_of(stage, start: date, end: date) -> Decimal:
    return people([stage.candidate_id])[stage.candidate_id].part(stage.id, start, end)


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def test_a_paid_job_of_someone_outside_the_cohort_does_not_count(world, contracts):
    spring = cohort(world, "Voorjaar 2025")
    inside, outside = person(world, "Binnen", "Tafel"), person(world, "Buiten", "Tafel")
    seat(world, spring, inside, joined=JOINED)
    job = paid_job(world, outside, P1, date(2025, 2, 1), date(2025, 7, 31))
    claim = labour_line(world, job, date(2025, 2, 1), date(2025, 7, 31), judge="approve")
    for quarter in (Q1, Q2, Q3):
        figures = figures_of(spring, quarter)
        assert euros_of(figures, world.org(P1).id) == ("0.00", "0.00", "0.00"), quarter
        assert figures["credited_total"] == figures["valued_total"] == "0.00"
    # Seated at another cohort's table, the same job counts there, and only there.
    autumn = cohort(world, "Najaar 2025")
    seat(world, autumn, outside, joined=JOINED)
    credited = sum((Decimal(euros_of(figures_of(autumn, q), world.org(P1).id)[0])
                    for q in (Q1, Q2, Q3)), Decimal("0.00"))
    assert credited == claim.approved_value > 0
    assert euros_of(figures_of(spring, Q2), world.org(P1).id) == ("0.00", "0.00", "0.00")


def test_the_same_provider_at_two_tables_gets_each_cohorts_own_euros(world, contracts):
    spring, autumn = cohort(world, "Voorjaar 2025"), cohort(world, "Najaar 2025")
    wep_person, job_person = person(world, "Werk", "Ervaring"), person(world, "Betaald", "Werk")
    seat(world, spring, wep_person, joined=JOINED)
    seat(world, autumn, job_person, joined=JOINED)
    wep = work_experience(world, wep_person, P1, date(2025, 4, 1), date(2025, 6, 30))
    job = paid_job(world, job_person, P1, date(2025, 4, 1), date(2025, 9, 30))
    provider = world.org(P1).id
    spring_q2, autumn_q2 = figures_of(spring, Q2), figures_of(autumn, Q2)
    assert euros_of(spring_q2, provider) == ("0.00", "0.00", money(value_of(wep)))
    assert euros_of(autumn_q2, provider) == (
        "0.00", "0.00", money(part_of(job, date(2025, 4, 1), date(2025, 6, 30))))
    assert euros_of(spring_q2, provider) != euros_of(autumn_q2, provider)
    # The other provider at both tables has nothing of either.
    assert euros_of(spring_q2, world.org(P2).id) == ("0.00", "0.00", "0.00")


def test_a_stage_across_two_quarters_credits_each_its_own_part(world, contracts):
    spring = cohort(world, "Voorjaar 2025")
    candidate = person(world, "Twee", "Kwartalen")
    seat(world, spring, candidate, joined=JOINED)
    wep = work_experience(world, candidate, P2, date(2025, 3, 1), date(2025, 5, 31))
    provider = world.org(P2).id
    first = Decimal(euros_of(figures_of(spring, Q1), provider)[2])
    second = Decimal(euros_of(figures_of(spring, Q2), provider)[2])
    assert first == part_of(wep, date(2025, 3, 1), date(2025, 3, 31)) > 0
    assert second == part_of(wep, date(2025, 4, 1), date(2025, 5, 31)) > 0
    assert first + second == value_of(wep)
    assert euros_of(figures_of(spring, Q3), provider) == ("0.00", "0.00", "0.00")
    # The open quarter counts up to its "as of" day.
    on = date(2025, 4, 20)
    open_quarter = Decimal(euros_of(figures_of(spring, Q2, on=on), provider)[2])
    assert open_quarter == part_of(wep, date(2025, 4, 1), on) < second


def test_approved_and_submitted_labour_lines_in_the_quarter(world, contracts):
    spring = cohort(world, "Voorjaar 2025")
    candidate = person(world, "Arbeid", "Regel")
    seat(world, spring, candidate, joined=JOINED)
    job = paid_job(world, candidate, P1, date(2025, 2, 1), date(2025, 7, 31))
    approved = labour_line(world, job, date(2025, 2, 1), date(2025, 4, 30), judge="approve")
    labour_line(world, job, date(2025, 5, 1), date(2025, 7, 31))  # waits for the adviser
    provider = world.org(P1).id
    frozen = approved.approved_value
    assert frozen == part_of(job, date(2025, 2, 1), date(2025, 4, 30)) > 0

    q1, q2, q3 = (euros_of(figures_of(spring, q), provider) for q in (Q1, Q2, Q3))
    # The approved line runs into Q2: its frozen value × part(overlap) / part(line).
    share = frozen * part_of(job, date(2025, 2, 1), date(2025, 3, 31)) / frozen
    assert Decimal(q1[0]) == share.quantize(Decimal("0.01"))
    assert Decimal(q1[0]) + Decimal(q2[0]) == frozen
    assert q1[1] == "0.00" and q3[0] == "0.00"
    assert Decimal(q2[1]) == part_of(job, date(2025, 5, 1), date(2025, 6, 30))
    assert Decimal(q3[1]) == part_of(job, date(2025, 7, 1), date(2025, 7, 31))
    assert q1[2] == q2[2] == q3[2] == "0.00"  # everything is claimed
    assert Decimal(q1[0]) + Decimal(q2[0]) + Decimal(q2[1]) + Decimal(q3[1]) == value_of(job)


def test_the_frozen_value_is_spread_by_the_parts_and_adds_up(world, contracts):
    """When the valuation changed after approval, the quarters still share the frozen value."""
    spring = cohort(world, "Voorjaar 2025")
    candidate = person(world, "Bevroren", "Waarde")
    seat(world, spring, candidate, joined=JOINED)
    job = paid_job(world, candidate, P1, date(2025, 2, 1), date(2025, 7, 31))
    approved = labour_line(world, job, date(2025, 2, 1), date(2025, 7, 31), judge="approve")
    approved.approved_value = Decimal("1000.01")  # as if the rules had changed since
    db.session.commit()
    provider = world.org(P1).id
    shares = [Decimal(euros_of(figures_of(spring, q), provider)[0]) for q in (Q1, Q2, Q3)]
    assert all(share > 0 for share in shares) and sum(shares) == Decimal("1000.01")


def test_rejected_parts_care_and_stages_without_a_contract_never_count(world, contracts):
    spring = cohort(world, "Voorjaar 2025")
    rejected, care, elsewhere = (person(world, "Afgewezen", "Regel"),
                                 person(world, "Zorg", "Stap"), person(world, "Ander", "Contract"))
    for candidate in (rejected, care, elsewhere):
        seat(world, spring, candidate, joined=JOINED)
    job = paid_job(world, rejected, P1, date(2025, 2, 1), date(2025, 3, 31))
    labour_line(world, job, date(2025, 2, 1), date(2025, 3, 31), judge="reject")
    work_experience(world, care, P2, date(2025, 2, 1), date(2025, 3, 31),
                    care={"care_client": True, "choice": CareChoice.ZORG,
                          "reason": "Begeleiding vanuit de Wmo"})
    # A provider at the table without any contract: the valuation credits nothing.
    work_experience(world, elsewhere, PROVIDERS[2], date(2025, 2, 1), date(2025, 3, 31))
    figures = figures_of(spring, Q1)
    assert (figures["credited_total"], figures["submitted_total"],
            figures["valued_total"]) == ("0.00", "0.00", "0.00")


def test_purchases_activities_and_funds_are_not_a_candidates(world, contracts):
    from tests.valuation.web.sample import make_claim
    from trajectory.valuation.models import ClaimKind

    spring = cohort(world, "Voorjaar 2025")
    seat(world, spring, person(world, "Zonder", "Stappen"), joined=JOINED)
    adviser = world.user("adviseur")
    make_claim(contracts[0], user=world.user("intaker"), approve_by=adviser,
               day=date(2025, 2, 10))
    make_claim(contracts[0], ClaimKind.FUND, user=world.user("intaker"), approve_by=adviser,
               day=date(2025, 2, 11))
    assert figures_of(spring, Q1)["credited_total"] == "0.00"


def test_the_pieces_never_cross_a_month_or_the_as_of_day():
    assert euros.pieces(date(2025, 1, 20), date(2025, 3, 5), [date(2025, 2, 15)]) == [
        (date(2025, 1, 20), date(2025, 1, 31)), (date(2025, 2, 1), date(2025, 2, 14)),
        (date(2025, 2, 15), date(2025, 2, 28)), (date(2025, 3, 1), date(2025, 3, 5))]
    assert euros.pieces(date(2025, 12, 30), date(2026, 1, 2), []) == [
        (date(2025, 12, 30), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 1, 2))]
    assert euros.pieces(date(2025, 2, 1), date(2025, 1, 1), []) == []


def test_the_loader_keeps_its_query_count_with_stages_and_claims(world, contracts,
                                                                  count_queries):
    def load() -> int:
        db.session.expire_all()
        cohorts = db.session.scalars(loader.cohort_query()).all()
        with count_queries() as counter:
            loader.load_rows(cohorts)
        return counter.count

    first = cohort(world, "Voorjaar 2025")
    candidate = person(world, "Eerste", "Persoon")
    seat(world, first, candidate, joined=JOINED)
    job = paid_job(world, candidate, P1, date(2025, 2, 1), date(2025, 4, 30))
    labour_line(world, job, date(2025, 2, 1), date(2025, 4, 30), judge="approve")
    few = load()
    for index, name in enumerate(("Zomer 2025", "Najaar 2025")):
        other = cohort(world, name)
        for n in range(3):
            someone = person(world, f"Nog{index}{n}", f"Iemand{n}")
            seat(world, other, someone, joined=JOINED)
            job = paid_job(world, someone, P1, date(2025, 2, 1), date(2025, 5, 31))
            labour_line(world, job, date(2025, 2, 1), date(2025, 3, 31), judge="approve")
            work_experience(world, someone, P2, date(2025, 6, 1), date(2025, 8, 31))
    assert load() == few


def test_the_evaluation_page_shows_the_cohorts_own_euros(coordinator_client, world, contracts):
    from tests.cohorts.support import open_evaluation
    from tests.cohorts.test_evaluation_pages import key_figures
    from trajectory.i18n import money as dutch

    spring = cohort(world, "Voorjaar 2025")
    candidate = person(world, "Op", "Pagina")
    seat(world, spring, candidate, joined=JOINED)
    job = paid_job(world, candidate, P1, date(2025, 2, 1), date(2025, 7, 31))
    approved = labour_line(world, job, date(2025, 2, 1), date(2025, 3, 31), judge="approve")
    evaluation = open_evaluation(world, spring, Q1)
    page = coordinator_client.get(f"/cohorten/{spring.id}/evaluaties/{evaluation.id}").text
    shown = key_figures(page)
    assert shown["credited_total"][1] == dutch(approved.approved_value)
    assert shown["submitted_total"][1] == dutch(Decimal("0"))
    assert 'id="euros-scope"' in page


def test_a_snapshot_of_the_earlier_format_keeps_its_own_words(coordinator_client, world):
    """Closed evaluations keep what was frozen: an older snapshot is not recomputed and is
    shown with the words of its time."""
    from tests.cohorts.support import open_evaluation
    from tests.cohorts.test_evaluation_pages import key_figures
    from trajectory.cohorts.models import Evaluation
    from trajectory.i18n import money as dutch
    from trajectory.timeutil import utcnow

    spring = cohort(world, "Voorjaar 2025")
    seat(world, spring, person(world, "Oud", "Formaat"), joined=JOINED)
    evaluation = open_evaluation(world, spring, Q1)
    old = figures_of(spring, Q1)
    old.update(version=1, credited_total="5450.00")
    evaluation = db.session.get(Evaluation, evaluation.id)
    evaluation.works, evaluation.snapshot, evaluation.closed_at = "Ja.", old, utcnow()
    db.session.commit()
    page = coordinator_client.get(f"/cohorten/{spring.id}/evaluaties/{evaluation.id}").text
    shown = key_figures(page)
    assert shown["credited_total"][1] == dutch(Decimal("5450.00"))
    assert shown["valued_total"][0] == "Trajectstappen begonnen dit kwartaal, gewaardeerd " \
                                       "maar nog niet ingediend"
    assert "Uit het Social Return-overzicht" in page and 'id="euros-scope"' not in page
