"""The ledger as an Excel workbook: the same ``ContractLedger`` the page shows.

Written with XlsxWriter in memory, ``strings_to_formulas`` off and every text
cell written as a string, so a supplier called "=HYPERLINK(...)" stays text
(no formula injection). Money cells are numbers with a euro number format.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import xlsxwriter
from flask_babel import gettext as _

from trajectory.valuation.labels import (
    block_label,
    claim_kind_text,
    labour_status_label,
    provisional_note,
    provisional_text,
    status_text,
)
from trajectory.valuation.ledger import BLOCKS, ContractLedger, Figures

MONEY_FORMAT = '"€" #,##0.00;-"€" #,##0.00'
FIGURE_COLUMNS = ("approved", "submitted", "rejected", "concept", "planned")


def figure_headers() -> list[str]:
    return [_("Approved"), _("Submitted"), _("Rejected"), _("Draft"), _("Planned")]


def ledger_xlsx(ledger: ContractLedger) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": MONEY_FORMAT})
    money_bold = book.add_format({"num_format": MONEY_FORMAT, "bold": True})
    day = book.add_format({"num_format": "dd-mm-yyyy"})
    contract = ledger.contract

    def text(sheet, row: int, col: int, value: object, fmt=None) -> None:
        sheet.write_string(row, col, "" if value is None else str(value), fmt)

    def amount(sheet, row: int, col: int, value: Decimal | None, fmt=money) -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        else:
            sheet.write_number(row, col, float(value), fmt)

    def when(sheet, row: int, col: int, value: date | None) -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        else:
            sheet.write_datetime(row, col, value, day)

    summary = book.add_worksheet(_("Statement")[:31])
    summary.set_column(0, 0, 42)
    summary.set_column(1, 6, 16)
    text(summary, 0, 0, _("Social Return statement"), bold)
    rows = [(_("Contract"), contract.name), (_("Reference"), contract.reference),
            (_("Provider"), contract.provider.name), (_("Client"), contract.client.name),
            (_("Edition of the building blocks"), ledger.rulebook.title)]
    for i, (key, value) in enumerate(rows, start=2):
        text(summary, i, 0, key, bold)
        text(summary, i, 1, value)
    text(summary, 7, 0, _("Base period"), bold)
    when(summary, 7, 1, contract.start)
    when(summary, 7, 2, contract.end)
    text(summary, 8, 0, _("Statement date"), bold)
    when(summary, 8, 1, ledger.on)

    row = 10
    totals = [(_("Base period revenue"), ledger.base_revenue),
              (_("Extension revenue"), ledger.extension_revenue),
              (_("Obligation"), ledger.required), (_("Approved"), ledger.approved),
              (_("Submitted"), ledger.submitted), (_("Rejected"), ledger.totals.rejected),
              (_("Still to go"), ledger.still_to_go), (_("Forecast"), ledger.forecast),
              (_("Gap against the forecast"), ledger.gap)]
    provisional = provisional_text(ledger.missing_years) if ledger.provisional else None
    for key, value in totals:
        text(summary, row, 0, key, bold)
        amount(summary, row, 1, value, money_bold)
        if provisional and key == _("Obligation"):
            text(summary, row, 2, provisional)
        row += 1

    def figures_table(start: int, title: str, items: list[tuple[str, Figures]]) -> int:
        text(summary, start, 0, title, bold)
        for col, header in enumerate(figure_headers(), start=1):
            text(summary, start, col, header, bold)
        for offset, (label, figures) in enumerate(items, start=1):
            text(summary, start + offset, 0, label)
            for col, name in enumerate(FIGURE_COLUMNS, start=1):
                amount(summary, start + offset, col, getattr(figures, name))
        return start + len(items) + 2

    row = figures_table(row + 1, _("By block"),
                        [(block_label(b), ledger.blocks[b]) for b in BLOCKS])
    row = figures_table(row, _("By year"), [(str(y), f) for y, f in ledger.years.items()])
    text(summary, row, 0, _("How the obligation is computed"), bold)
    notes = [*([ledger.pso.message] if ledger.pso.message else []),
             *([provisional_note(ledger.missing_years)] if provisional else [])]
    for offset, line in enumerate([*ledger.obligation.explain, *notes], start=1):
        text(summary, row + offset, 0, line)

    claims = book.add_worksheet(_("Claims")[:31])
    headers = [_("Number"), _("Kind"), _("Date"), _("Description"), _("Supplier"),
               _("Kind of supplier"), _("Delivered by"), _("Status"), _("Value"),
               _("Edition"), _("Approved on"), _("Reason for rejection")]
    for col, header in enumerate(headers):
        text(claims, 0, col, header, bold)
    claims.set_column(0, 2, 12)
    claims.set_column(3, 7, 28)
    claims.set_column(8, 11, 16)
    for r, line in enumerate(ledger.claims, start=1):
        claim = line.claim
        text(claims, r, 0, claim.id)
        text(claims, r, 1, claim_kind_text(claim.kind))
        when(claims, r, 2, claim.day)
        text(claims, r, 3, claim.description)
        text(claims, r, 4, claim.supplier_name)
        text(claims, r, 5, claim.supplier_type)
        text(claims, r, 6, claim.subcontractor.name if claim.subcontractor
             else contract.provider.name)
        text(claims, r, 7, status_text(claim.status))
        amount(claims, r, 8, line.value)
        text(claims, r, 9, claim.approved_rulebook or contract.rulebook)
        when(claims, r, 10, claim.approved_on)
        text(claims, r, 11, claim.rejection_reason)

    labour = book.add_worksheet(_("Labour participation")[:31])
    for col, header in enumerate([_("Description"), _("Person"), _("Start"), _("End"),
                                  _("Status"), _("Value"), _("Delivered by"), _("Number"),
                                  _("Edition"), _("Approved on"), _("Reason for rejection")]):
        text(labour, 0, col, header, bold)
    labour.set_column(0, 0, 40)
    labour.set_column(1, 10, 14)
    for r, item in enumerate(ledger.labour, start=1):
        claim = item.claim
        text(labour, r, 0, item.description)
        text(labour, r, 1, item.person)
        when(labour, r, 2, item.start)
        when(labour, r, 3, item.end)
        text(labour, r, 4, labour_status_label(item.status))
        amount(labour, r, 5, item.value)
        text(labour, r, 6, item.delivered_by or contract.provider.name)
        if claim is not None:
            text(labour, r, 7, claim.id)
            text(labour, r, 8, claim.approved_rulebook or contract.rulebook)
            when(labour, r, 9, claim.approved_on)
            text(labour, r, 10, claim.rejection_reason)
    book.close()
    return buffer.getvalue()
