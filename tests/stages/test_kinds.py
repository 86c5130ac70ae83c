"""The stage kinds' table (trajectory/stages/kinds.py): one entry per kind, and the pages
show exactly the fields of a kind's entry; the agreed end of a werkervaringsplaats; the
notice where the recorded facts differ from the plan."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.cohorts import stagefacts
from trajectory.cohorts.labels import stage_kind_label
from trajectory.extensions import db
from trajectory.stages import tasks
from trajectory.stages.facts import plan_differences
from trajectory.stages.kinds import (
    ENTRIES,
    KINDS,
    OUTCOME_FIELDS,
    PLAN_FIELDS,
    KindSpec,
    StageKind,
    Valuation,
    kinds_where,
)
from trajectory.stages.models import ABSORBING_KINDS, ContractType, Stage, StageStatus
from trajectory.valuation import engine
from trajectory.valuation.engine.model import HOUR_KINDS as ENGINE_HOUR_KINDS
from trajectory.valuation.engine.model import LEVEL_KINDS as ENGINE_LEVEL_KINDS

ALL_KINDS = list(StageKind)
MAIN_FORM = '<form method="post" novalidate class="stack">'


def d(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def form_fields(page: str, candidates) -> set[str]:
    """The names among ``candidates`` that the page's POST form has inputs for."""
    start = page.index(MAIN_FORM)
    form = page[start:page.index("</form>", start)]
    return set(re.findall(r'name="(\w+)"', form)) & set(candidates)


def optional(page: str, name: str) -> bool:
    """Whether the field's label says "(optional)"."""
    label = re.search(rf'<label class="utrecht-form-label" for="{name}">(.*?)</label>', page,
                      re.S)
    return label is not None and 'class="optional"' in label.group(1)


# ------------------------------------------------------------------ the table

def test_every_kind_has_exactly_one_entry():
    counts = Counter(spec.kind for spec in ENTRIES)
    assert set(counts) == set(StageKind)
    assert all(count == 1 for count in counts.values()), counts
    assert all(KINDS[kind].kind is kind and kind.spec is KINDS[kind] for kind in StageKind)


def test_an_entry_with_an_unknown_or_unshown_field_is_refused():
    with pytest.raises(ValueError, match="unknown plan field 'salary'"):
        KindSpec(kind=StageKind.BBL, label="x", colour=("#000", "#000"), plan=("salary",),
                 offer_types=frozenset(), valuation=Valuation("bbl", "level"))
    with pytest.raises(ValueError, match="required outcome field 'diploma' is not asked"):
        KindSpec(kind=StageKind.BBL, label="x", colour=("#000", "#000"),
                 outcome_required=("diploma",), offer_types=frozenset(),
                 valuation=Valuation("bbl", "level"))
    with pytest.raises(ValueError, match="unknown measure"):
        KindSpec(kind=StageKind.BBL, label="x", colour=("#000", "#000"),
                 offer_types=frozenset(), valuation=Valuation("bbl", "weight"))


def test_the_valuation_blocks_match_the_engine_and_every_rulebook():
    engine_kinds = {spec.valuation.engine_kind for spec in ENTRIES} - {None}
    assert engine_kinds == set(engine.STAGE_KINDS)
    assert {s.valuation.engine_kind for s in ENTRIES
            if s.valuation.engine_kind and s.valuation.measure == "hours"} == ENGINE_HOUR_KINDS
    assert {s.valuation.engine_kind for s in ENTRIES
            if s.valuation.measure == "level"} == ENGINE_LEVEL_KINDS
    # A kind valued as an activity has hours to value.
    assert all("hours" in s.plan_required for s in ENTRIES if s.valuation.engine_kind is None)
    # The engine needs the level (and the hours) of the kinds it measures so.
    for spec in ENTRIES:
        if spec.valuation.measure in ("hours", "level"):
            assert spec.valuation.measure in spec.plan_required, spec.kind
    for name in engine.available_rulebooks():
        book = engine.load_rulebook(name)
        assert engine_kinds <= {block.kind for block in book.labour}, name


def test_the_old_names_are_read_from_the_table():
    assert set(ABSORBING_KINDS) == {StageKind.WERKERVARINGSPLAATS, StageKind.BBL, StageKind.PAID_JOB}
    assert set(tasks.DECISION_KINDS) == {StageKind.WERKERVARINGSPLAATS}
    assert kinds_where(lambda k: k.fills_vacancy) == {StageKind.BBL, StageKind.PAID_JOB,
                                                      StageKind.VSO_WORKPLACE}


def test_labels_come_from_the_table_everywhere(app):
    with app.test_request_context():
        assert StageKind.WERKERVARINGSPLAATS.label == "Werkervaringsplaats"
        assert stage_kind_label("werkervaringsplaats") == "Werkervaringsplaats"
        assert stage_kind_label("something_else") == "something_else"
        assert stagefacts.kind_choices() == [(s.kind.value, str(s.label)) for s in ENTRIES]


# ------------------------------------------------------------------ the forms

def test_a_proposal_asks_the_kind_first(world, klantmanager_client):
    candidate = goes_candidate(world)
    url = f"/trajecten/kandidaat/{candidate.id}/nieuw"
    page = klantmanager_client.get(url).text
    assert '<form method="get"' in page and MAIN_FORM not in page
    assert set(re.findall(r'<input[^>]*name="soort"[^>]*value="(\w+)"', page)) == {
        k.value for k in StageKind}
    page = klantmanager_client.get(f"{url}?soort=astronaut").text
    assert 'id="soort-error"' in page and MAIN_FORM not in page


@pytest.mark.parametrize("kind", ALL_KINDS, ids=[k.value for k in ALL_KINDS])
def test_the_proposal_shows_exactly_the_kinds_fields(world, klantmanager_client, kind):
    candidate = goes_candidate(world)
    page = klantmanager_client.get(f"/trajecten/kandidaat/{candidate.id}/nieuw?soort={kind}"
                                   f"&aanbieder={world.org(P1).id}").text
    spec = kind.spec
    expected = set(spec.plan) | ({"vacancy_id"} if spec.fills_vacancy else set())
    assert form_fields(page, [*PLAN_FIELDS, "vacancy_id"]) == expected
    assert f'name="kind" value="{kind.value}"' in page
    for name in spec.plan:
        if name != "permanent":
            assert optional(page, name) is (name not in spec.plan_required), name
    assert optional(page, "planned_end") is (spec.open_ended or bool(spec.default_months))


@pytest.mark.parametrize("kind", ALL_KINDS, ids=[k.value for k in ALL_KINDS])
def test_the_edit_shows_exactly_the_kinds_fields(world, klantmanager_client, kind):
    stage = make_stage(world, goes_candidate(world), P1, kind, StageStatus.GEPLAND,
                       start=days(10))
    page = klantmanager_client.get(f"/trajecten/{stage.id}/bewerken").text
    spec = kind.spec
    expected = set(spec.plan) | ({"vacancy_id"} if spec.fills_vacancy else set())
    assert form_fields(page, [*PLAN_FIELDS, "vacancy_id"]) == expected
    for name in spec.plan_required:
        assert not optional(page, name), name


@pytest.mark.parametrize("kind", ALL_KINDS, ids=[k.value for k in ALL_KINDS])
def test_the_outcome_form_shows_exactly_the_kinds_fields(world, intaker_client, kind):
    stage = make_stage(world, goes_candidate(world), P1, kind, StageStatus.LOPEND,
                       start=days(-20))
    page = intaker_client.get(f"/trajecten/{stage.id}/uitkomst").text
    assert form_fields(page, OUTCOME_FIELDS) == set(kind.spec.outcome_fields)
    for name in kind.spec.outcome_required:
        assert not optional(page, name), name


def test_a_kind_that_fills_no_vacancy_drops_a_posted_one(world, klantmanager_client):
    from tests.providers.conftest import add_vacancy

    candidate = goes_candidate(world)
    vacancy = add_vacancy(world.org(P1))
    response = klantmanager_client.post(f"/trajecten/kandidaat/{candidate.id}/nieuw", data={
        "kind": "werkervaringsplaats", "provider_id": world.org(P1).id,
        "planned_start": d(days(10)), "vacancy_id": vacancy.id, "level": "3"})
    assert response.status_code == 302
    stage = db.session.scalar(sa.select(Stage))
    assert stage.vacancy_id is None and stage.level is None  # neither belongs to the kind
    assert stage.planned_end == StageKind.WERKERVARINGSPLAATS.spec.default_end(days(10))


# ------------------------------------------------------------------ the agreed end

def test_the_outcome_of_a_werkervaringsplaats_saves_the_agreed_end(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.LOPEND, start=days(-20))
    planned = stage.planned_end
    url = f"/trajecten/{stage.id}/uitkomst"
    page = intaker_client.get(url).text
    assert re.search(rf'name="agreed_end"[^>]*value="{d(planned)}"', page)  # default: planned
    # Before the start: refused, in Dutch, the input kept, nothing saved.
    response = intaker_client.post(url, data={
        "next_step_decision": "Door naar een BBL-plek", "agreed_end": d(days(-30)),
        "version": stage.version})
    assert response.status_code == 200
    assert 'id="agreed_end-error"' in response.text
    assert "Het afgesproken einde ligt vóór de start van de trajectstap." in response.text
    assert d(days(-30)) in response.text and "Door naar een BBL-plek" in response.text
    db.session.refresh(stage)
    assert not stage.has_outcome and stage.agreed_end is None
    # An earlier end agreed with the candidate is saved.
    agreed = planned - timedelta(days=14)
    response = intaker_client.post(url, data={
        "next_step_decision": "Door naar een BBL-plek", "agreed_end": d(agreed),
        "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.agreed_end == agreed and stage.has_outcome
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert "Afgesproken einde" in page and d(agreed) in page
    # The planned end itself is no separate agreement: stored as None.
    response = intaker_client.post(url, data={
        "next_step_decision": "Door naar een BBL-plek", "agreed_end": d(planned),
        "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.agreed_end is None


# ------------------------------------------------------------------ plan against facts

def _stage(kind: StageKind, status: StageStatus = StageStatus.AFGEROND, **values) -> Stage:
    values.setdefault("planned_start", date(2026, 3, 15))
    values.setdefault("permanent", False)
    return Stage(kind=kind, status=status, **values)


def test_plan_differences(app):
    on = date(2026, 9, 1)
    with app.test_request_context():
        as_planned = _stage(StageKind.PAID_JOB, StageStatus.LOPEND, planned_end=None,
                            actual_start=date(2026, 3, 15), hours_per_week=Decimal(24),
                            permanent=True, contract_type=ContractType.PERMANENT,
                            contract_hours=Decimal(24))
        assert plan_differences(as_planned, on) == []
        job = _stage(StageKind.PAID_JOB, StageStatus.LOPEND, planned_end=None,
                     hours_per_week=Decimal(24), permanent=True,
                     contract_type=ContractType.TEMPORARY, contract_hours=Decimal("20.5"))
        assert plan_differences(job, on) == [
            "Gepland als vast contract, vastgelegd als: tijdelijk contract.",
            "Het contract is voor 20,5 uur per week, het plan voor 24.",
        ]
        ended = _stage(StageKind.PAID_JOB, planned_end=None, hours_per_week=Decimal(24),
                       actual_end=date(2026, 8, 31), contract_type=ContractType.PERMANENT)
        assert plan_differences(ended, on) == [
            "Gepland zonder vast contract, vastgelegd als vast contract.",
            "Geëindigd op 31-08-2026; het plan had geen einde.",
        ]
        intake = _stage(StageKind.INTAKE, planned_end=date(2026, 4, 30),
                        actual_end=date(2026, 4, 20))
        assert plan_differences(intake, on) == [
            "Geëindigd op 20-04-2026; het geplande einde was 30-04-2026."]
        wep = dict(planned_end=date(2026, 6, 14), actual_start=date(2026, 3, 15))
        agreed = _stage(StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                        agreed_end=date(2026, 5, 31), **wep)
        assert plan_differences(agreed, date(2026, 5, 1)) == [
            "Het einde dat met de kandidaat is afgesproken (31-05-2026) wijkt af van het "
            "geplande einde (14-06-2026)."]
        assert plan_differences(agreed, date(2026, 6, 2))[1:] == [
            "Loopt nog na het afgesproken einde (31-05-2026)."]
        ran_past = _stage(StageKind.WERKERVARINGSPLAATS, agreed_end=date(2026, 5, 31),
                          actual_end=date(2026, 6, 14), **wep)
        assert plan_differences(ran_past, on)[1:] == [
            "Doorgelopen na het afgesproken einde (31-05-2026): geëindigd op 14-06-2026."]
        # Without a separate agreement the planned end is the agreed end: one sentence.
        late = _stage(StageKind.WERKERVARINGSPLAATS, actual_end=date(2026, 6, 30), **wep)
        assert plan_differences(late, on) == [
            "Doorgelopen na het afgesproken einde (14-06-2026): geëindigd op 30-06-2026."]
        on_time = _stage(StageKind.WERKERVARINGSPLAATS, actual_end=date(2026, 6, 14), **wep)
        assert plan_differences(on_time, on) == []


def test_the_stage_page_says_where_the_facts_differ_from_the_plan(world, klantmanager_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.PAID_JOB,
                       StageStatus.LOPEND, start=days(-20), permanent=True,
                       outcome={"contract_type": ContractType.TEMPORARY,
                                "contract_hours": Decimal(20)})
    page = klantmanager_client.get(f"/trajecten/{stage.id}").text
    assert "Wat is vastgelegd, wijkt af van het plan:" in page
    assert "Gepland als vast contract, vastgelegd als: tijdelijk contract." in page
    assert "Het contract is voor 20 uur per week, het plan voor 24." in page
    other = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE,
                       StageStatus.LOPEND, start=days(-5))
    assert "wijkt af van het plan" not in klantmanager_client.get(f"/trajecten/{other.id}").text
