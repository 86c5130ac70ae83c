"""The figures of an evaluation made readable: labels, names or pseudonyms, charts.

The page, the PDF meeting pack and the Excel file all build one ``Report`` from the
same figures dict (live for an open evaluation, the snapshot for a closed one),
so they show the same numbers.

Names: a candidate's name is shown only to those entitled to it at the table
(the coordinator when the candidate's consent for the overlegtafel is in force,
the klantmanager of the candidate's municipality); everyone else, and every
pseudonymised pack, sees "Kandidaat A", "Kandidaat B"… Names are looked up when
the report is made, never stored in a snapshot.

A report without names (``pseudonymised``) also leaves out every free text typed at the
table (``free_text``): the four answers and the decisions are written by people who know
the candidates by name, and a pseudonym is worth nothing beside "Fatma heeft haar
diploma gehaald".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.auth.roles import Role
from trajectory.candidates.models import Benefit, Candidate
from trajectory.candidates.need_to_know import visible_for_all
from trajectory.cohorts.charts import Chart, bar_chart
from trajectory.cohorts.evaluation import LEFT, NO_STAGE, OUTFLOW_ORDER
from trajectory.cohorts.labels import OUTFLOW_LABELS, stage_kind_label
from trajectory.cohorts.signals import signal_label
from trajectory.extensions import db
from trajectory.i18n import hours, money, number


def entitled_names(user: Any, candidate_ids: list[int]) -> dict[int, str]:
    """The names ``user`` may see at the table: as klantmanager or coordinator, whose field
    set shows the name (trajectory.candidates.need_to_know); others read pseudonyms."""
    roles = {Role.COORDINATOR, Role.KLANTMANAGER} & set(user.roles)
    if not candidate_ids or not roles:
        return {}
    candidates = _candidates(candidate_ids)
    visible = visible_for_all(user, candidates, roles=roles)
    return {c.id: c.full_name for c in candidates if visible[c.id].name}


def _candidates(candidate_ids: list[int]) -> list[Candidate]:
    """These candidates: those the page loaded already (the cohort's, with its rows) from
    the session, the others (who left the table after a snapshot) in one query."""
    loaded = {cid: db.session.identity_map.get(db.session.identity_key(Candidate, cid))
              for cid in candidate_ids}
    # An expired one (after a commit) would load again one by one: asked with the rest.
    missing = [cid for cid, candidate in loaded.items()
               if candidate is None or sa.inspect(candidate).expired_attributes]
    if missing:
        loaded.update((c.id, c) for c in db.session.scalars(
            sa.select(Candidate).where(Candidate.id.in_(missing))))
    return [c for c in loaded.values() if c is not None]


FREE_TEXT_LEFT_OUT = _l("[free text left out of the version without names]")


def benefit_label(code: str) -> str:
    """The label of a benefit code kept in the figures ("ww" → "WW")."""
    try:
        return Benefit(code).label
    except ValueError:
        return code


def stage_text(kind: str | None) -> str:
    if kind == NO_STAGE or kind is None:
        return _("No stage running")
    if kind == LEFT:
        return _("Left the programme")
    return stage_kind_label(kind)


def share_text(share: str | None) -> str:
    if share is None:
        return _("unknown")
    return number(Decimal(share) * 100, 0) + "%"


def marker_text(marker: str) -> str:
    return {"more": _("carries more than its share"), "less": _("carries less than its share"),
            "fair": _("in proportion"), "unknown": _("unknown")}[marker]


@dataclass
class Report:
    figures: dict[str, Any]
    names: dict[int, str] = field(default_factory=dict)
    providers: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pseudonyms = {m["id"]: m["pseudonym"] for m in self.figures["members"]}
        self.providers = {p["id"]: p["name"] for p in self.figures["providers"]}

    @property
    def named(self) -> bool:
        return bool(self.names)

    @property
    def pseudonymised(self) -> bool:
        """No name in it: pseudonyms, and no free text (module docstring)."""
        return not self.named

    def free_text(self, text: str | None) -> str:
        """A text typed at the table, or the note that the version without names leaves it
        out; "–" when nothing was typed."""
        if not text:
            return "–"
        return str(FREE_TEXT_LEFT_OUT) if self.pseudonymised else text

    def without_names_notice(self) -> str:
        return _("Version without names: candidates are Kandidaat A, B, C…, and the texts "
                 "typed at the table (the four answers, the decisions and their owners) are "
                 "left out, because they can name people.")

    def as_of_text(self) -> str:
        return _("Figures as known on %(date)s", date=_date(self.figures["as_of"]))

    @staticmethod
    def questions(evaluation: Any) -> list[tuple[str, str | None]]:
        """The four questions with the evaluation's answers, in the order of the form."""
        return [(_("Does this work?"), evaluation.works),
                (_("What do we run into?"), evaluation.obstacles),
                (_("What gives energy?"), evaluation.energy),
                (_("What does it yield?"), evaluation.yields)]

    def person(self, candidate_id: int) -> str:
        return self.names.get(candidate_id) or self.pseudonyms.get(candidate_id) or "–"

    def provider(self, provider_id: int | None) -> str:
        if provider_id is None:
            return "–"
        return self.providers.get(provider_id, _("another provider"))

    @property
    def counts(self) -> dict[str, int]:
        return self.figures["counts"]

    def key_figures(self) -> list[tuple[str, str, str]]:
        """(key, label, value as text): the figures every output shows, in this order."""
        c, y = self.counts, self.figures["yield"]
        rows = [
            ("candidates", _("Candidates at the table"), str(c["candidates"])),
            ("inflow", _("Inflow this quarter"), str(c["inflow"])),
            ("in_stage", _("In a stage now"), str(c["in_stage"])),
            ("moves", _("Moves this quarter (stages started)"), str(c["moves"])),
            *[(f"outflow_{k}", OUTFLOW_LABELS[k], str(c[f"outflow_{k}"]))
              for k in OUTFLOW_ORDER],
            ("ladder_up", _("Participatieladder: went up"), str(c["ladder_up"])),
            ("ladder_same", _("Participatieladder: stayed the same"), str(c["ladder_same"])),
            ("ladder_down", _("Participatieladder: went down"), str(c["ladder_down"])),
            ("paid_work_or_bbl", _("Reached paid work or BBL"), str(c["paid_work_or_bbl"])),
            ("hours_per_week", _("Hours of paid work per week"),
             hours(y["hours_per_week"])),
            ("vacancies_filled", _("Vacancies filled through the approach"),
             str(c["vacancies_filled"])),
            ("credited_total", _("Social Return credited this quarter (approved)"),
             money(Decimal(self.figures["credited_total"]))),
            ("submitted_total", _("Social Return submitted this quarter (awaiting judgement)"),
             money(Decimal(self.figures["submitted_total"]))),
            ("valued_total", self.valued_label,
             money(Decimal(self.figures.get("valued_total", "0.00")))),
            ("benefit_estimate", _("Lower benefit costs (estimate)"),
             money(Decimal(y["benefit_estimate"]))),
            ("open_signals", _("Open signals"), str(c["open_signals"])),
        ]
        return rows

    @property
    def per_candidate(self) -> bool:
        """Figures of format 2 on: the euros are the cohort's candidates' stages, their days
        in the quarter; an older snapshot keeps the providers' ledger as it was frozen."""
        return int(self.figures.get("version", 1)) >= 2

    @property
    def valued_label(self) -> str:
        if self.per_candidate:
            return _("Valued this quarter, not yet claimed (forecast)")
        return _("Stages started this quarter, valued but not yet claimed")

    def money_note(self) -> str:
        """Where the euros per provider come from, in the words of the figures' format."""
        if self.per_candidate:
            return _("Only the stages of this cohort's candidates, and only their days in "
                     "%(quarter)s up to %(date)s, valued by the Social Return valuation: "
                     "credited is the part inside a labour line the adviser approved (its "
                     "frozen value), submitted the part inside one that waits for judgement, "
                     "valued the rest of a stage credited to a contract (not claimed yet, or a "
                     "draft). Care stages never count.", quarter=self.figures["quarter"],
                     date=_date(self.figures["as_of"]))
        return _("From the Social Return ledger: the value approved for claims and stages "
                 "dated in this quarter, what still waits for the adviser's judgement, and "
                 "stages that started this quarter, valued by the engine but not yet claimed.")

    def money_scope_note(self) -> str | None:
        if not self.per_candidate:
            return None
        return _("Purchases, social activities and fund payments are not a candidate's: they do "
                 "not count in cohort figures.")

    def stage_rows(self) -> list[tuple[str, int]]:
        return [(stage_text(row["kind"]), row["count"]) for row in self.figures["per_stage"]]

    def signal_rows(self) -> list[tuple[str, int]]:
        return [(signal_label(key), count) for key, count in self.figures["signals"].items()]

    def provider_rows(self) -> list[dict[str, Any]]:
        return [{**p, "credited_text": money(Decimal(p["credited"])),
                 "submitted_text": money(Decimal(p["submitted"])),
                 "valued_text": money(Decimal(p.get("valued", "0.00"))),
                 "revenue_text": share_text(p["revenue_share"]),
                 "agreement_text": share_text(p["agreement_share"]),
                 "stage_text": share_text(p["stage_share"]),
                 "marker_text": marker_text(p["marker"])} for p in self.figures["providers"]]

    def charts(self) -> list[Chart]:
        stage_items = [(label, count, str(count)) for label, count in self.stage_rows()]
        money_items = [(p["name"], Decimal(p["credited"]), money(Decimal(p["credited"])))
                       for p in self.figures["providers"]]
        return [
            bar_chart("stages", _("Candidates per stage"),
                      _("Where the candidates of %(cohort)s are on %(date)s; the table "
                        "next to it has the same numbers.", cohort=self.figures["cohort"],
                        date=_date(self.figures["as_of"])), stage_items),
            bar_chart("credited", _("Social Return credited per provider"),
                      (_("Approved value of the cohort's candidates' stages in %(quarter)s "
                         "per provider at the table; the table below has the same amounts.",
                         quarter=self.figures["quarter"]) if self.per_candidate else
                       _("Approved value in %(quarter)s per provider at the table; the table "
                         "below has the same amounts.", quarter=self.figures["quarter"])),
                      money_items),
        ]


def _date(iso: str) -> str:
    from datetime import date

    from trajectory.i18n import day

    return day(date.fromisoformat(iso))
