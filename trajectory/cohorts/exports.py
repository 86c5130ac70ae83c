"""The meeting pack (PDF) and the figures (Excel) of a quarterly evaluation.

Both render the same ``Report`` as the evaluation page. The PDF is WeasyPrint,
PDF/UA-1, A4 (the wide tables on landscape pages), with a url_fetcher that refuses
every resource (the pack needs none; texts typed at the table must not make WeasyPrint
fetch anything). The workbook goes through the export kit (trajectory/exports.py):
typed cells, Dutch labels, frozen headers, typed text never a formula.

The version without names (``Report.pseudonymised``) has pseudonyms for the candidates
and leaves out every free text typed at the table (the four answers, the decisions and
their owners): a typed "Fatma heeft haar diploma gehaald" would name her. Its first page
and its workbook say so, and its file name ends in ``-zonder-namen``.

This module also adds the cohort column to the candidate export (``install``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from trajectory import pdf_cache
from trajectory.candidates.exports import ExtraColumn, register_column
from trajectory.candidates.models import Candidate
from trajectory.cohorts.labels import OUTFLOW_LABELS, stage_kind_label
from trajectory.cohorts.models import Cohort, CohortCandidate, CohortCandidateStatus, Evaluation
from trajectory.cohorts.report import Report, benefit_label, stage_text
from trajectory.exports import Column, Kind, Sheet, Typed, filename, workbook

MONEY_KEYS = frozenset({"credited_total", "submitted_total", "valued_total",
                        "benefit_estimate"})


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"the meeting pack loads no outside resources: {url[:60]}")


def pack_name(cohort: Cohort, evaluation: Evaluation, report: Report, extension: str) -> str:
    first = "overlegtafel" if extension == "pdf" else "cijfers"
    return filename(first, cohort.name, evaluation.quarter_label, extension=extension,
                    pseudonymised=report.pseudonymised)


def pack_html(cohort: Cohort, evaluation: Evaluation, report: Report) -> str:
    return render_template("cohorts/pack_pdf.html", cohort=cohort, evaluation=evaluation,
                           report=report, stage_text=stage_text, stage_label=stage_kind_label,
                           outflow_labels=OUTFLOW_LABELS, benefit_label=benefit_label)


def pack_pdf(cohort: Cohort, evaluation: Evaluation, report: Report) -> bytes:
    """The pack of this HTML: laid out once, then from trajectory.pdf_cache for every
    member who downloads the same rendering (same names or pseudonyms, same language)."""
    html = pack_html(cohort, evaluation, report)

    def render() -> bytes:
        from weasyprint import HTML  # heavy import, only when a pack is made

        return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf(
            pdf_variant="pdf/ua-1")

    return pdf_cache.rendered(html, render)


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _share(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def figures_xlsx(cohort: Cohort, evaluation: Evaluation, report: Report) -> bytes:
    figures = report.figures
    as_of = report.as_of_text() + (" · " + _("closed, frozen") if evaluation.is_closed else "")
    notice = [report.without_names_notice()] if report.pseudonymised else []

    raw = {**figures["counts"], "credited_total": figures["credited_total"],
           "submitted_total": figures["submitted_total"],
           "valued_total": figures.get("valued_total", "0.00"),
           "benefit_estimate": figures["yield"]["benefit_estimate"],
           "hours_per_week": figures["yield"]["hours_per_week"]}

    def figure(key: str) -> Typed:
        if key in MONEY_KEYS:
            return Typed(Decimal(raw[key]), Kind.MONEY)
        if key == "hours_per_week":
            return Typed(Decimal(str(raw[key])), Kind.NUMBER)
        return Typed(int(raw[key]), Kind.INTEGER)

    key_figures = Sheet(
        _("Figures"), [Column(_("Figure"), width=58), Column(_("Value"), width=18)],
        [[label, figure(key)] for key, label, _shown in report.key_figures()],
        above=[f"{cohort.name} · {figures['quarter']}", " · ".join([as_of, *notice]), ""])

    providers = Sheet(
        _("Providers"),
        [Column(_("Provider"), width=36), Column(_("Credited (approved)"), Kind.MONEY),
         Column(_("Submitted"), Kind.MONEY), Column(_("Valued, not yet claimed"), Kind.MONEY),
         Column(_("Share of the revenue"), Kind.PERCENT), Column(_("Agreements"), Kind.INTEGER),
         Column(_("Share of the agreements"), Kind.PERCENT), Column(_("Stages"), Kind.INTEGER),
         Column(_("Share of the stages"), Kind.PERCENT), Column(_("Naar rato"))],
        [[p["name"], Decimal(p["credited"]), Decimal(p["submitted"]),
          Decimal(p.get("valued", "0.00")), _share(p["revenue_share"]), p["agreements"],
          _share(p["agreement_share"]), p["stages"], _share(p["stage_share"]),
          p["marker_text"]] for p in report.provider_rows()],
        below=[n for n in (report.money_note(), report.money_scope_note()) if n])

    outflow = {o["candidate"]: o["category"] for o in figures["outflow"]}
    ladder = {entry["candidate"]: entry for entry in figures["ladder"]}
    municipality = {m["id"]: m["municipality"] for m in figures["members"]}
    people = Sheet(
        _("Candidates"),
        [Column(_("Candidate"), width=24), Column(_("Municipality")), Column(_("Stage now")),
         Column(_("Provider")), Column(_("Paid work or BBL since"), Kind.DATE),
         Column(_("Hours per week"), Kind.NUMBER), Column(_("Outflow this quarter")),
         Column(_("Ladder at the start"), Kind.INTEGER), Column(_("Ladder now"), Kind.INTEGER)],
        [[report.person(p["candidate"]), municipality.get(p["candidate"], ""),
          stage_text(p["stage"]), report.provider(p.get("provider")) if p.get("provider")
          else "", _day(p["since"]), _share(p["hours"]),
          OUTFLOW_LABELS[outflow[p["candidate"]]] if p["candidate"] in outflow else "",
          ladder[p["candidate"]]["start"] if p["candidate"] in ladder else None,
          ladder[p["candidate"]]["end"] if p["candidate"] in ladder else None]
         for p in figures["yield"]["people"]])

    benefit = Sheet(
        _("Benefit estimate"),
        [Column(_("Candidate"), width=24), Column(_("Benefit")),
         Column(_("Paid work from"), Kind.DATE), Column(_("Until"), Kind.DATE),
         Column(_("Months"), Kind.NUMBER), Column(_("Estimate"), Kind.MONEY)],
        [[report.person(item["candidate"]), benefit_label(item["benefit"]), _day(item["since"]),
          _day(item["until"]), _share(item["months"]),
          Decimal(item["amount"]) if item["amount"] is not None
          else Typed(_("no municipal benefit amount"))]
         for item in figures["yield"]["benefit_rows"]])

    answers = Sheet(
        _("Evaluation"), [Column(_("Question"), width=30), Column(_("Answer"), width=90)],
        [[question, report.free_text(answer)] for question, answer in report.questions(evaluation)],
        above=notice)

    decisions = Sheet(
        _("Decisions"),
        [Column(_("Kind"), width=28), Column(_("Decision or lesson"), width=70),
         Column(_("Owner"), width=36), Column(_("By when"), Kind.DATE)],
        [[d.kind.label, report.free_text(d.text), report.free_text(d.owner), d.due_on]
         for d in evaluation.decisions],
        above=notice)
    return workbook([key_figures, providers, people, benefit, answers, decisions])


# ------------------------------------------------------------------ the candidate export

def current_cohort(user: Any, column: Any) -> sa.ScalarSelect[Any]:
    """``column`` of the exported candidate's cohort: the one at whose table they sit (or
    are proposed), among the cohorts the user may see; the latest when there are more.

    The cohorts in scope are an uncorrelated ``IN`` on ``cohort_id + 0``: the candidate's
    few rows are found by their candidate, not by probing every cohort of the
    municipality for each person (SQLite chose that otherwise: seconds at 20,000)."""
    in_scope = sa.select(Cohort.id).where(Cohort.scope_filter(user)).correlate(None)
    return (sa.select(column).select_from(CohortCandidate)
            .join(Cohort, Cohort.id == CohortCandidate.cohort_id)
            .where(CohortCandidate.candidate_id == Candidate.id,
                   CohortCandidate.status != CohortCandidateStatus.DECLINED,
                   (CohortCandidate.cohort_id + 0).in_(in_scope))
            .order_by(Cohort.start_quarter.desc(), Cohort.id.desc())
            .limit(1).correlate(Candidate).scalar_subquery())


def cohort_cell(name: str | None, status: CohortCandidateStatus | None) -> str:
    if name is None:
        return ""
    return name if status is CohortCandidateStatus.ACCEPTED else \
        _("%(cohort)s (proposed)", cohort=name)


def install() -> None:
    register_column(ExtraColumn("cohort", lambda: _("Cohort"), "stages",
                                lambda user: [current_cohort(user, Cohort.name),
                                              current_cohort(user, CohortCandidate.status)],
                                value=cohort_cell,
                                after="stage_provider"))
