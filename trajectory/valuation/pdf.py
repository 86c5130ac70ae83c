"""The ledger as a PDF accounting statement (WeasyPrint, PDF/UA-1, A4, Dutch amounts).

The statement is rendered from the same ``ContractLedger`` as the page. The
HTML is ours, but WeasyPrint could still be asked to fetch a URL (a supplier
name is user input): the url_fetcher refuses everything, so nothing outside
the document is read, no file and no network.

A large contract's labour lines (thousands of stages) are not printed one by one:
WeasyPrint lays out a table of thousands of rows in minutes. Above
``LABOUR_DETAIL_LIMIT`` lines the statement prints them per year and status (number of
lines and their value, adding up to the same totals) and points to the Excel statement,
which holds every line (its "Labour participation" sheet).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import render_template

from trajectory import pdf_cache
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.ledger import BLOCKS, ContractLedger, LabourLine
from trajectory.valuation.models import Contract

LABOUR_DETAIL_LIMIT = 250  # labour lines printed one by one; above: per year and status
STATUS_ORDER = ("planned", "running", "completed", "concept", "submitted", "approved",
                "rejected")


@dataclass(frozen=True)
class LabourGroup:
    """The labour lines of one year and status: how many, and their value."""

    year: int | None
    status: str
    count: int
    value: Decimal


def _group_order(group: LabourGroup) -> tuple:
    rank = (STATUS_ORDER.index(group.status) if group.status in STATUS_ORDER
            else len(STATUS_ORDER))
    return (group.year is None, group.year or 0, rank, group.status)


def labour_groups(lines: list[LabourLine]) -> list[LabourGroup]:
    """The lines per year (the year a line counts in) and status, in the ledger's order."""
    found: dict[tuple[int | None, str], list[LabourLine]] = defaultdict(list)
    for line in lines:
        found[(line.year, line.status)].append(line)
    return sorted((LabourGroup(year, status, len(group),
                               sum((line.value for line in group), Decimal("0.00")))
                   for (year, status), group in found.items()), key=_group_order)


def stored_labour_groups(contract: Contract) -> list[LabourGroup] | None:
    """The same groups summed in SQL from the stored values (``labour.lines.line_groups``),
    without building a line; None when another labour source is registered too."""
    from trajectory.labour import lines as stored

    if ledger_mod.labour_sources() != (stored.labour_lines,):
        return None
    return sorted((LabourGroup(*cells) for cells in stored.line_groups(contract.id)),
                  key=_group_order)


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """WeasyPrint's url_fetcher: the statement needs no outside resource."""
    raise ValueError(f"external resources are not loaded in a statement: {url[:60]}")


def statement_html(ledger: ContractLedger, groups: list[LabourGroup] | None = None) -> str:
    """``groups``: the labour per year and status when the ledger holds no lines (its
    labour summed in SQL, ``contract_statement_html``)."""
    if groups is None and len(ledger.labour) > LABOUR_DETAIL_LIMIT:
        groups = labour_groups(ledger.labour)
    if groups is not None:
        count = sum(group.count for group in groups)
        total = sum((group.value for group in groups), Decimal("0.00"))
    else:
        count = len(ledger.labour)
        total = sum((line.value for line in ledger.labour), Decimal("0.00"))
    return render_template("valuation/statement_pdf.html", ledger=ledger, contract=ledger.contract,
                           blocks=BLOCKS, labour_groups=groups, labour_count=count,
                           labour_total=total)


def contract_statement_html(contract: Contract) -> str:
    """The statement of ``contract``. Above ``LABOUR_DETAIL_LIMIT`` lines (counted in SQL)
    neither the lines nor their people are loaded: the figures and the groups are sums
    over the stored values, the same numbers as the lines (tests/valuation/web)."""
    count, _rows = ledger_mod.labour_page(contract)
    if count > LABOUR_DETAIL_LIMIT:
        groups = stored_labour_groups(contract)
        if groups is not None:
            return statement_html(ledger_mod.contract_figures(contract), groups)
    return statement_html(ledger_mod.contract_ledger(contract))


def statement_pdf(ledger: ContractLedger | Contract) -> bytes:
    """Laid out once per rendering, kept by trajectory.pdf_cache for the next download; a
    contract: ``contract_statement_html``."""
    html = (contract_statement_html(ledger) if isinstance(ledger, Contract)
            else statement_html(ledger))

    def render() -> bytes:
        from weasyprint import HTML  # heavy import, only when a statement is made

        return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf(
            pdf_variant="pdf/ua-1")

    return pdf_cache.rendered(html, render)
