"""The ledger as a PDF accounting statement (WeasyPrint, PDF/UA-1, A4, Dutch amounts).

The statement is rendered from the same ``ContractLedger`` as the page. The
HTML is ours, but WeasyPrint could still be asked to fetch a URL (a supplier
name is user input): the url_fetcher refuses everything, so nothing outside
the document is read, no file and no network.
"""

from __future__ import annotations

from flask import render_template

from trajectory.valuation.ledger import BLOCKS, ContractLedger


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """WeasyPrint's url_fetcher: the statement needs no outside resource."""
    raise ValueError(f"external resources are not loaded in a statement: {url[:60]}")


def statement_html(ledger: ContractLedger) -> str:
    return render_template("valuation/statement_pdf.html", ledger=ledger, contract=ledger.contract,
                           blocks=BLOCKS)


def statement_pdf(ledger: ContractLedger) -> bytes:
    from weasyprint import HTML  # heavy import, only when a statement is made

    html = HTML(string=statement_html(ledger), url_fetcher=refuse_fetch, base_url=None)
    return html.write_pdf(pdf_variant="pdf/ua-1")
