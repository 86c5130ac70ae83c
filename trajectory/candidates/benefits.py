"""The candidate's benefit history (uitkeringsgeschiedenis): the one writer of
``BenefitPeriod`` rows and of the mirror on the candidate.

The valuation reads the periods (TRAJECTORIES.md T2: the benefit in force the day
before a job starts); lists, filters and exports read ``Candidate.benefit`` and
``benefit_since``, which ``sync_benefit_mirror`` keeps equal to the latest period
(its benefit and start, also when it has ended), or NUG with a date when there is
no period. Nothing else writes either.

Rules, each refused with a ``ServiceError`` on the form field at fault:

* no period is NUG: no benefit means no period;
* a period starts neither in the future nor before the date of birth, ends on or
  after its start and not in the future (an end is recorded once it happened);
* periods never overlap.

A new period that starts after the start of a period that is still running ends
that period on the day before the new start (end dates are inclusive), in the same
transaction, like a new buddy assignment does: moving from WW to Participatiewet
is one form, not two. Removing a period is allowed (for a period entered by
mistake); the audit trail keeps its values.

Like the other services these check, change and flush; the view commits.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import Benefit, BenefitPeriod, Candidate
from trajectory.extensions import db
from trajectory.i18n import day
from trajectory.services import ServiceError
from trajectory.timeutil import today

ONE_DAY = timedelta(days=1)


def periods_of(candidate: Candidate) -> list[BenefitPeriod]:
    """The candidate's periods, earliest first (also before a flush sorts them)."""
    return sorted(candidate.benefit_periods, key=lambda p: p.start)


def running_period(candidate: Candidate) -> BenefitPeriod | None:
    """The latest period when it has no end, else None."""
    periods = periods_of(candidate)
    return periods[-1] if periods and periods[-1].end is None else None


def _describe(period: BenefitPeriod) -> str:
    if period.end is None:
        return _("the %(benefit)s period that runs since %(start)s",
                 benefit=period.benefit.label, start=day(period.start))
    return _("the %(benefit)s period from %(start)s to %(end)s",
             benefit=period.benefit.label, start=day(period.start), end=day(period.end))


def _check_start(candidate: Candidate, start: date | None, field: str) -> None:
    if start is None:
        raise ServiceError(_("Enter the date the benefit started."), field)
    if start > today():
        raise ServiceError(_("The benefit cannot start in the future."), field)
    if candidate.date_of_birth is not None and start < candidate.date_of_birth:
        raise ServiceError(_("The benefit cannot start before the date of birth."), field)


def _check_benefit(benefit: Benefit | None, field: str = "benefit") -> None:
    if benefit is None:
        raise ServiceError(_("Choose the benefit."), field)
    if benefit is Benefit.NUG:
        raise ServiceError(_("No benefit (NUG) is not a period: without a period the candidate "
                             "counts as NUG. If a benefit has stopped, end its period."), field)


def _check_period(candidate: Candidate, benefit: Benefit | None, start: date | None,
                  end: date | None, *, others: list[BenefitPeriod],
                  ends: dict[BenefitPeriod, date] | None = None) -> None:
    """The rules for one period against ``others``; ``ends`` gives the end some of them
    will have once this change is made (the running period that it ends)."""
    _check_benefit(benefit)
    _check_start(candidate, start, "start")
    assert start is not None
    if end is not None:
        if end < start:
            raise ServiceError(_("The end date cannot be before the start date."), "end")
        if end > today():
            raise ServiceError(_("The end date cannot be in the future: enter it once the "
                                 "benefit has ended."), "end")
    ends = ends or {}
    for other in others:
        other_end = ends.get(other, other.end)
        if other.start <= (end or date.max) and start <= (other_end or date.max):
            field = "start" if other.start <= start else "end"
            raise ServiceError(_("This period overlaps %(other)s. Periods cannot overlap.",
                                 other=_describe(other)), field)


def sync_benefit_mirror(candidate: Candidate) -> None:
    """``Candidate.benefit``/``benefit_since`` from the latest period.

    Without periods the candidate is NUG: the date stays when they already were
    (the "since" given at registration), else it becomes the registration date.
    """
    periods = periods_of(candidate)
    if periods:
        latest = periods[-1]
        candidate.benefit = latest.benefit
        candidate.benefit_since = latest.start
    elif candidate.benefit is not Benefit.NUG or candidate.benefit_since is None:
        candidate.benefit = Benefit.NUG
        registered = candidate.registered_at
        candidate.benefit_since = registered.date() if registered is not None else today()


def set_first_benefit(candidate: Candidate, benefit: Benefit | None, since: date | None) -> None:
    """At registration: the benefit and "uitkering sinds" of the form become the first
    open period; NUG becomes no period (and the mirror NUG since that date).

    Works on a candidate not yet added to the session (registration checks for
    duplicates after the details are known to be right).
    """
    if benefit is None:
        raise ServiceError(_("Choose the benefit."), "benefit")
    _check_start(candidate, since, "benefit_since")
    assert since is not None
    if candidate.benefit_periods:
        raise ServiceError(_("This candidate already has a benefit history; add a period to "
                             "it instead."), "benefit")
    if benefit is Benefit.NUG:
        candidate.benefit = Benefit.NUG
        candidate.benefit_since = since
    else:
        candidate.benefit_periods.append(BenefitPeriod(benefit=benefit, start=since, end=None))
        sync_benefit_mirror(candidate)
    db.session.flush()


def add_benefit_period(candidate: Candidate, actor: User, benefit: Benefit | None,
                       start: date | None, end: date | None = None) -> BenefitPeriod:
    """A new period in the history; a running period that started earlier ends the day
    before ``start``."""
    if (not actor.has_role(Role.KLANTMANAGER)
            or actor.organisation_id != candidate.municipality_id):
        raise ServiceError(_("Only a client manager of the candidate's municipality changes "
                             "the benefit history."))
    periods = periods_of(candidate)
    running = running_period(candidate)
    ends: dict[BenefitPeriod, date] = {}
    if running is not None and start is not None and start > running.start:
        ends[running] = start - ONE_DAY
    _check_period(candidate, benefit, start, end, others=periods, ends=ends)
    for ended, last_day in ends.items():
        ended.end = last_day
    period = BenefitPeriod(benefit=benefit, start=start, end=end)
    candidate.benefit_periods.append(period)
    db.session.flush()
    sync_benefit_mirror(candidate)
    db.session.flush()
    return period


def update_benefit_period(period: BenefitPeriod, benefit: Benefit | None, start: date | None,
                          end: date | None) -> None:
    """Correct a period (benefit, start, end); it must still fit between the others."""
    candidate = period.candidate
    others = [p for p in periods_of(candidate) if p is not period]
    _check_period(candidate, benefit, start, end, others=others)
    period.benefit = benefit
    period.start = start
    period.end = end
    db.session.flush()
    sync_benefit_mirror(candidate)
    db.session.flush()


def end_benefit_period(period: BenefitPeriod, end: date | None) -> None:
    """The benefit stopped: ``end`` is its last day."""
    if end is None:
        raise ServiceError(_("Enter the last day of the benefit."), "end")
    update_benefit_period(period, period.benefit, period.start, end)


def remove_benefit_period(period: BenefitPeriod) -> None:
    """Remove a period entered by mistake; the audit trail keeps its values.

    A period that was ended because this one started stays ended: whether that
    benefit really stopped is for the klantmanager to say.
    """
    candidate = period.candidate
    db.session.delete(period)
    db.session.flush()
    db.session.expire(candidate, ["benefit_periods"])
    sync_benefit_mirror(candidate)
    db.session.flush()


def check_date_of_birth(candidate: Candidate, date_of_birth: date) -> None:
    """A corrected date of birth must not come after the start of a benefit period."""
    if any(p.start < date_of_birth for p in candidate.benefit_periods):
        raise ServiceError(_("A benefit period starts before this date of birth. Check the "
                             "date, or correct the benefit history first."), "date_of_birth")
