"""The contract page lists its labour lines a page at a time, paged in SQL (issue 13).

The figures come from SQL sums and are the same on every page as the whole ledger's
(``contract_ledger``, which the Excel ledger and the PDF statement read with every
line); the pages together are every line in the ledger's order; a bad page, year or
status never fails; and the page costs the same queries at two sizes of the region.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import CsrfClient, base_config, login
from tests.stages.test_stored_values import LARGE, SMALL, _measure, sized  # noqa: F401
from trajectory import create_app
from trajectory.extensions import db
from trajectory.stages.models import StageValue
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation import views
from trajectory.valuation.models import Contract

BAD_PAGES = ("abc", "0", "-1", "2.5", "99999999999999999999", "%00", "9999")
MAX_QUERIES = 20


def _busiest(uri: str) -> int:
    """The contract with the most forecast lines (the bench opens a big one too)."""
    app = create_app(base_config(uri))
    with app.app_context():
        found = db.session.scalar(
            sa.select(StageValue.line_contract_id)
            .where(StageValue.line_contract_id.is_not(None),
                   StageValue.forecast_status.is_not(None))
            .group_by(StageValue.line_contract_id)
            .order_by(sa.func.count().desc(), StageValue.line_contract_id).limit(1))
        db.engine.dispose()
    return found


def _labour_rows(html: str) -> list[str]:
    """The link of every labour line the page shows, in order."""
    section = html.split('id="arbeid"', 1)[1].split('id="claims"', 1)[0]
    body = section.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in section else ""
    return [re.search(r'href="([^"]+)"', row).group(1)
            for row in body.split("<tr")[1:] if 'href="' in row]


def _figures(html: str) -> str:
    """The page up to the labour lines: the obligation, the totals, per block, per year."""
    return html.split('id="arbeid"', 1)[0].split("<main", 1)[1]


@pytest.fixture
def small_client(sized):  # noqa: F811
    app = create_app(base_config(sized[SMALL]))
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        assert login(client, "adviseur").status_code == 302
        yield app, client
        db.session.remove()
        db.engine.dispose()


def test_the_pages_together_are_every_line_in_the_ledgers_order(sized, small_client,  # noqa: F811
                                                                 monkeypatch):
    app, client = small_client
    contract_id = _busiest(sized[SMALL])
    with app.test_request_context():
        contract = db.session.get(Contract, contract_id)
        whole = ledger_mod.contract_ledger(contract)
        every = [line.url for line in whole.labour]
    assert len(every) > 12, "the sample contract needs lines on several pages"
    monkeypatch.setattr(views, "LINES_PER_PAGE", 5)
    first = client.get(f"/sroi/contracten/{contract_id}")
    second = client.get(f"/sroi/contracten/{contract_id}?page=2")
    assert first.status_code == second.status_code == 200
    page_one, page_two = _labour_rows(first.text), _labour_rows(second.text)
    assert len(page_one) == len(page_two) == 5
    assert not set(page_one) & set(page_two)
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    shown, figures = [], {_figures(first.text)}
    pages = -(-len(every) // 5)
    for number in range(1, pages + 1):
        response = client.get(f"/sroi/contracten/{contract_id}?page={number}")
        shown += _labour_rows(response.text)
        figures.add(_figures(response.text))
    assert shown == every
    assert len(figures) == 1, "the totals differ between pages"


def test_the_figures_are_the_whole_ledgers(sized):  # noqa: F811
    for uri in sized.values():
        app = create_app(base_config(uri))
        with app.app_context():
            for contract in db.session.scalars(sa.select(Contract).order_by(Contract.id)):
                whole = ledger_mod.contract_ledger(contract)
                summed = ledger_mod.contract_figures(contract)
                assert summed.labour == []
                assert (summed.totals, summed.blocks, summed.years) == \
                    (whole.totals, whole.blocks, whole.years), contract.reference
                assert (summed.approved, summed.forecast, summed.at_risk) == \
                    (whole.approved, whole.forecast, whole.at_risk)
            db.session.remove()
            db.engine.dispose()


def test_the_overviews_figures_are_the_whole_ledgers(sized):  # noqa: F811
    """The overviews and home panels sum approved and submitted labour only (no forecast):
    what they show is the whole ledger's, and a forecast is refused, never wrong."""
    for uri in sized.values():
        app = create_app(base_config(uri))
        with app.app_context():
            overview = ledger_mod.ledgers_for(None)
            assert overview
            for summed in overview:
                whole = ledger_mod.contract_ledger(summed.contract)
                assert (summed.required, summed.approved, summed.submitted,
                        summed.percent_fulfilled, summed.at_risk, summed.expected_by_now) == \
                    (whole.required, whole.approved, whole.submitted,
                     whole.percent_fulfilled, whole.at_risk, whole.expected_by_now), \
                    summed.contract.reference
                with pytest.raises(ValueError):
                    summed.forecast  # noqa: B018
            with pytest.raises(ValueError):
                ledger_mod.ledger_document(overview)
            db.session.remove()
            db.engine.dispose()


def test_a_bad_page_year_or_status_never_fails(sized, small_client):  # noqa: F811
    app, client = small_client
    contract_id = _busiest(sized[SMALL])
    whole = client.get(f"/sroi/contracten/{contract_id}")
    for key in BAD_PAGES:
        response = client.get(f"/sroi/contracten/{contract_id}?page={key}")
        assert response.status_code == 200, key
        assert _figures(response.text) == _figures(whole.text)
    for query in ("jaar=abc", "jaar=1800", "jaar=-1", "status=nonsense", "status=",
                  "jaar=99999999999999999999&status=approved&page=x"):
        response = client.get(f"/sroi/contracten/{contract_id}?{query}")
        assert response.status_code == 200, query
    beyond = client.get(f"/sroi/contracten/{contract_id}?page=9999")
    assert _labour_rows(beyond.text), "a page beyond the end shows the last page"


def test_the_year_and_status_filters_narrow_the_lines(sized, small_client):  # noqa: F811
    app, client = small_client
    contract_id = _busiest(sized[SMALL])
    with app.test_request_context():
        whole = ledger_mod.contract_ledger(db.session.get(Contract, contract_id))
        year = next(iter(whole.years))
        expected = [line.url for line in whole.labour
                    if line.ledger_year == year and line.status == "planned"][:views.LINES_PER_PAGE]
    response = client.get(f"/sroi/contracten/{contract_id}?jaar={year}&status=planned")
    assert response.status_code == 200
    assert _labour_rows(response.text) == expected
    none = client.get(f"/sroi/contracten/{contract_id}?jaar={year}&status=approved")
    if not any(line.ledger_year == year and line.status == "approved" for line in whole.labour):
        assert _labour_rows(none.text) == []


def test_the_contract_page_costs_the_same_queries_at_two_sizes(sized):  # noqa: F811
    ids = {size: _busiest(uri) for size, uri in sized.items()}
    app = create_app(base_config(sized[LARGE]))
    with app.app_context():
        year = db.session.get(Contract, ids[LARGE]).start.year
        lines = ledger_mod.labour_page(db.session.get(Contract, ids[LARGE]))[0]
        db.engine.dispose()
    assert lines > 2 * views.LINES_PER_PAGE, "the larger contract must need several pages"
    suffixes = ("", "?page=2", f"?jaar={year}&status=planned", "?page=abc", "?page=9999")
    measured = {size: _measure(uri, "adviseur",
                               tuple(f"/sroi/contracten/{ids[size]}{s}" for s in suffixes))
                for size, uri in sized.items()}
    small, large = (list(measured[size].values()) for size in (SMALL, LARGE))
    assert all(status == 200 for status, _count in small + large)
    assert small == large
    assert max(count for _status, count in large) <= MAX_QUERIES
