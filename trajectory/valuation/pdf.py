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
from trajectory.valuation.ledger import BLOCKS, ContractLedger, LabourLine

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


def labour_groups(lines: list[LabourLine]) -> list[LabourGroup]:
    """The lines per year (the year a line counts in) and status, in the ledger's order."""
    found: dict[tuple[int | None, str], list[LabourLine]] = defaultdict(list)
    for line in lines:
        found[(line.year, line.status)].append(line)

    def order(key: tuple[int | None, str]) -> tuple:
        year, status = key
        rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
        return (year is None, year or 0, rank, status)

    return [LabourGroup(year, status, len(group),
                        sum((line.value for line in group), Decimal("0.00")))
            for (year, status), group in sorted(found.items(), key=lambda item: order(item[0]))]


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """WeasyPrint's url_fetcher: the statement needs no outside resource."""
    raise ValueError(f"external resources are not loaded in a statement: {url[:60]}")


def statement_html(ledger: ContractLedger) -> str:
    grouped = len(ledger.labour) > LABOUR_DETAIL_LIMIT
    return render_template("valuation/statement_pdf.html", ledger=ledger, contract=ledger.contract,
                           blocks=BLOCKS,
                           labour_groups=labour_groups(ledger.labour) if grouped else None,
                           labour_total=sum((line.value for line in ledger.labour),
                                            Decimal("0.00")))


def statement_pdf(ledger: ContractLedger) -> bytes:
    """Laid out once per rendering, kept by trajectory.pdf_cache for the next download."""
    html = statement_html(ledger)

    def render() -> bytes:
        from weasyprint import HTML  # heavy import, only when a statement is made

        return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf(
            pdf_variant="pdf/ua-1")

    return pdf_cache.rendered(html, render)
