"""The meeting pack (PDF) and the figures (Excel) of a quarterly evaluation.

Both render the same ``Report`` as the evaluation page. The PDF is WeasyPrint,
PDF/UA-1, A4, with a url_fetcher that refuses every resource (the pack needs
none; texts typed at the table must not make WeasyPrint fetch anything). The
workbook is XlsxWriter in memory with formulas, URLs and numbers in strings
left as text (no formula injection from typed text).
"""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from flask import render_template
from flask_babel import gettext as _

from trajectory.cohorts.labels import OUTFLOW_LABELS, stage_kind_label
from trajectory.cohorts.models import Cohort, Evaluation
from trajectory.cohorts.report import Report, stage_text

MONEY_FORMAT = '"€" #,##0.00;-"€" #,##0.00'


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"the meeting pack loads no outside resources: {url[:60]}")


def pack_html(cohort: Cohort, evaluation: Evaluation, report: Report) -> str:
    return render_template("cohorts/pack_pdf.html", cohort=cohort, evaluation=evaluation,
                           report=report, stage_text=stage_text, stage_label=stage_kind_label,
                           outflow_labels=OUTFLOW_LABELS)


def pack_pdf(cohort: Cohort, evaluation: Evaluation, report: Report) -> bytes:
    from weasyprint import HTML  # heavy import, only when a pack is made

    html = HTML(string=pack_html(cohort, evaluation, report), url_fetcher=refuse_fetch,
                base_url=None)
    return html.write_pdf(pdf_variant="pdf/ua-1")


def figures_xlsx(cohort: Cohort, evaluation: Evaluation, report: Report) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": MONEY_FORMAT})
    figures = report.figures

    def text(sheet, row: int, col: int, value: object, fmt=None) -> None:
        sheet.write_string(row, col, "" if value is None else str(value), fmt)

    def amount(sheet, row: int, col: int, value: str | None) -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        else:
            sheet.write_number(row, col, float(Decimal(value)), money)

    def headers(sheet, names: list[str]) -> None:
        for col, name in enumerate(names):
            text(sheet, 0, col, name, bold)

    # Sheet 1: the key figures, as on the page (text as shown) plus the raw number.
    sheet = book.add_worksheet(_("Figures")[:31])
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 2, 18)
    text(sheet, 0, 0, f"{cohort.name} · {figures['quarter']}", bold)
    text(sheet, 1, 0, _("Figures as known on %(date)s", date=figures["as_of"]) +
         (" · " + _("closed, frozen") if evaluation.is_closed else ""))
    text(sheet, 3, 0, _("Figure"), bold)
    text(sheet, 3, 1, _("Value"), bold)
    raw = {**figures["counts"], "credited_total": figures["credited_total"],
           "submitted_total": figures["submitted_total"],
           "valued_total": figures.get("valued_total", "0.00"),
           "benefit_estimate": figures["yield"]["benefit_estimate"],
           "hours_per_week": figures["yield"]["hours_per_week"]}
    for row, (key, label, _shown) in enumerate(report.key_figures(), start=4):
        text(sheet, row, 0, label)
        if key in ("credited_total", "submitted_total", "valued_total", "benefit_estimate"):
            amount(sheet, row, 1, raw[key])
        else:
            sheet.write_number(row, 1, float(Decimal(str(raw[key]))))

    # Sheet 2: providers, euros and naar rato.
    sheet = book.add_worksheet(_("Providers")[:31])
    headers(sheet, [_("Provider"), _("Credited (approved)"), _("Submitted"),
                    _("Valued, not yet claimed"), _("Share of the revenue"), _("Agreements"),
                    _("Share of the agreements"), _("Stages"), _("Share of the stages"),
                    _("Naar rato")])
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 9, 18)
    for row, p in enumerate(report.provider_rows(), start=1):
        text(sheet, row, 0, p["name"])
        amount(sheet, row, 1, p["credited"])
        amount(sheet, row, 2, p["submitted"])
        amount(sheet, row, 3, p.get("valued", "0.00"))
        text(sheet, row, 4, p["revenue_text"])
        sheet.write_number(row, 5, p["agreements"])
        text(sheet, row, 6, p["agreement_text"])
        sheet.write_number(row, 7, p["stages"])
        text(sheet, row, 8, p["stage_text"])
        text(sheet, row, 9, p["marker_text"])
    notes = [report.money_note(), report.money_scope_note()]
    for row, note in enumerate((n for n in notes if n), start=len(figures["providers"]) + 2):
        text(sheet, row, 0, note)

    # Sheet 3: the candidates (names only for those entitled, else pseudonyms).
    sheet = book.add_worksheet(_("Candidates")[:31])
    headers(sheet, [_("Candidate"), _("Municipality"), _("Stage now"),
                    _("Paid work or BBL since"), _("Hours per week"), _("Outflow this quarter"),
                    _("Ladder at the start"), _("Ladder now")])
    sheet.set_column(0, 7, 22)
    outflow = {o["candidate"]: o["category"] for o in figures["outflow"]}
    ladder = {entry["candidate"]: entry for entry in figures["ladder"]}
    for row, person in enumerate(figures["yield"]["people"], start=1):
        cid = person["candidate"]
        member = next(m for m in figures["members"] if m["id"] == cid)
        text(sheet, row, 0, report.person(cid))
        text(sheet, row, 1, member["municipality"])
        text(sheet, row, 2, stage_text(person["stage"]))
        text(sheet, row, 3, person["since"] or "")
        text(sheet, row, 4, person["hours"] or "")
        text(sheet, row, 5, str(OUTFLOW_LABELS[outflow[cid]]) if cid in outflow else "")
        text(sheet, row, 6, ladder[cid]["start"] if cid in ladder else "")
        text(sheet, row, 7, ladder[cid]["end"] if cid in ladder else "")

    # Sheet 4: the benefit estimate, row by row.
    sheet = book.add_worksheet(_("Benefit estimate")[:31])
    headers(sheet, [_("Candidate"), _("Benefit"), _("Paid work from"), _("Until"),
                    _("Months"), _("Estimate")])
    sheet.set_column(0, 5, 20)
    for row, item in enumerate(figures["yield"]["benefit_rows"], start=1):
        text(sheet, row, 0, report.person(item["candidate"]))
        text(sheet, row, 1, item["benefit"])
        text(sheet, row, 2, item["since"])
        text(sheet, row, 3, item["until"])
        text(sheet, row, 4, item["months"])
        if item["amount"] is None:
            text(sheet, row, 5, _("no municipal benefit amount"))
        else:
            amount(sheet, row, 5, item["amount"])

    # Sheet 5: the answers and the decisions.
    sheet = book.add_worksheet(_("Evaluation")[:31])
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 40)
    questions = [(_("Does this work?"), evaluation.works),
                 (_("What do we run into?"), evaluation.obstacles),
                 (_("What gives energy?"), evaluation.energy),
                 (_("What does it yield?"), evaluation.yields)]
    for row, (question, answer) in enumerate(questions):
        text(sheet, row, 0, question, bold)
        text(sheet, row, 1, answer)
    start = len(questions) + 1
    for col, name in enumerate([_("Kind"), _("Decision or lesson"), _("Owner"), _("By when")]):
        text(sheet, start, col, name, bold)
    for row, decision in enumerate(evaluation.decisions, start=start + 1):
        text(sheet, row, 0, decision.kind.label)
        text(sheet, row, 1, decision.text)
        text(sheet, row, 2, decision.owner)
        text(sheet, row, 3, decision.due_on.strftime("%d-%m-%Y"))
    book.close()
    return buffer.getvalue()
