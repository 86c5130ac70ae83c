"""The ledger as an Excel workbook: the same ``ContractLedger`` the page shows.

Written through the export kit (trajectory/exports.py): every text cell is a string, so a
supplier called "=HYPERLINK(...)" stays text (no formula injection); money is a number
with a euro format, dates are dates, statuses and kinds are the words of the pages
(``trajectory.valuation.labels``), the kind of supplier the edition's own words, never a
code such as ``sw_bedrijf``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from trajectory.exports import Column, Kind, Layout, Sheet, Typed, workbook
from trajectory.valuation.labels import (
    block_label,
    claim_kind_text,
    labour_status_label,
    provisional_note,
    provisional_text,
    status_text,
    supplier_label,
)
from trajectory.valuation.ledger import BLOCKS, ContractLedger, Figures

FIGURE_COLUMNS = ("approved", "submitted", "rejected", "concept", "planned")


def figure_headers() -> list[str]:
    return [_("Approved"), _("Submitted"), _("Rejected"), _("Draft"), _("Planned")]


def _bold(value: object) -> Typed:
    return Typed(value, bold=True)


def _money(value, bold: bool = False) -> Typed:
    return Typed(value, Kind.MONEY, bold)


def _statement(ledger: ContractLedger) -> Layout:
    contract = ledger.contract
    rows: list[list[object]] = [[_bold(_("Social Return statement"))], []]
    for key, value in [(_("Contract"), contract.name), (_("Reference"), contract.reference),
                       (_("Provider"), contract.provider.name), (_("Client"), contract.client.name),
                       (_("Edition of the building blocks"), ledger.rulebook.title)]:
        rows.append([_bold(key), value])
    rows.append([_bold(_("Base period")), Typed(contract.start, Kind.DATE),
                 Typed(contract.end, Kind.DATE)])
    rows.append([_bold(_("Statement date")), Typed(ledger.on, Kind.DATE)])
    rows.append([])
    provisional = provisional_text(ledger.missing_years) if ledger.provisional else None
    for key, value in [(_("Base period revenue"), ledger.base_revenue),
                       (_("Extension revenue"), ledger.extension_revenue),
                       (_("Obligation"), ledger.required), (_("Approved"), ledger.approved),
                       (_("Submitted"), ledger.submitted), (_("Rejected"), ledger.totals.rejected),
                       (_("Still to go"), ledger.still_to_go), (_("Forecast"), ledger.forecast),
                       (_("Gap against the forecast"), ledger.gap)]:
        row = [_bold(key), _money(value, bold=True)]
        if provisional and key == _("Obligation"):
            row.append(provisional)
        rows.append(row)

    def figures_table(title: str, items: list[tuple[str, Figures]]) -> None:
        rows.append([])
        rows.append([_bold(title), *[_bold(h) for h in figure_headers()]])
        for label, figures in items:
            rows.append([label, *[_money(getattr(figures, name)) for name in FIGURE_COLUMNS]])

    figures_table(_("By block"), [(block_label(b), ledger.blocks[b]) for b in BLOCKS])
    figures_table(_("By year"), [(str(y), f) for y, f in ledger.years.items()])
    rows.append([])
    rows.append([_bold(_("How the obligation is computed"))])
    notes = [*([ledger.pso.message] if ledger.pso.message else []),
             *([provisional_note(ledger.missing_years)] if provisional else [])]
    rows.extend([line] for line in [*ledger.obligation.explain, *notes])
    return Layout(_("Statement"), rows, widths=(42, 18, 18, 16, 16, 16))


def ledger_xlsx(ledger: ContractLedger) -> bytes:
    contract = ledger.contract
    # A label per status, looked up once: gettext per cell was 5 of 13 s for 16,000 lines.
    status_labels: dict[str, str] = {}

    def labour_status(status: str) -> str:
        if status not in status_labels:
            status_labels[status] = labour_status_label(status)
        return status_labels[status]

    claims = Sheet(
        _("Claims"),
        [Column(_("Number"), Kind.INTEGER), Column(_("Kind")), Column(_("Date"), Kind.DATE),
         Column(_("Description"), width=40), Column(_("Supplier"), width=28),
         Column(_("Kind of supplier"), width=32), Column(_("Delivered by"), width=28),
         Column(_("Status")), Column(_("Value"), Kind.MONEY), Column(_("Edition")),
         Column(_("Approved on"), Kind.DATE), Column(_("Reason for rejection"), width=50)],
        [[line.claim.id, claim_kind_text(line.claim.kind), line.claim.day,
          line.claim.description, line.claim.supplier_name,
          supplier_label(line.claim.approved_rulebook or contract.rulebook,
                         line.claim.supplier_type),
          line.claim.subcontractor.name if line.claim.subcontractor else contract.provider.name,
          status_text(line.claim.status), line.value,
          line.claim.approved_rulebook or contract.rulebook, line.claim.approved_on,
          line.claim.rejection_reason] for line in ledger.claims])
    labour = Sheet(
        _("Labour participation"),
        [Column(_("Description"), width=40), Column(_("Person")), Column(_("Start"), Kind.DATE),
         Column(_("End"), Kind.DATE), Column(_("Status")), Column(_("Value"), Kind.MONEY),
         Column(_("Delivered by"), width=28), Column(_("Number"), Kind.INTEGER),
         Column(_("Edition")), Column(_("Approved on"), Kind.DATE),
         Column(_("Reason for rejection"), width=50)],
        [[item.description, item.person, item.start, item.end, labour_status(item.status),
          item.value, item.delivered_by or contract.provider.name,
          *([item.claim.id, item.claim.approved_rulebook or contract.rulebook,
             item.claim.approved_on, item.claim.rejection_reason] if item.claim is not None
            else [None, None, None, None])] for item in ledger.labour])
    return workbook([_statement(ledger), claims, labour])
