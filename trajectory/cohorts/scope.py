"""Cohorts connect candidates to providers: an agreement at the table (who does what)
makes the candidate "connected" to that provider, so its intaker sees the file with
the intaker's view while the candidate's consent covers providers
(trajectory.candidates.need_to_know).

The connection is registered by ``trajectory.cohorts.init_app`` when the app is
created; importing this module registers nothing.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from trajectory.candidates.models import Candidate, CandidateStatus
from trajectory.cohorts.models import CohortAgreement, CohortCandidate, CohortCandidateStatus


def agreement_at_the_table(provider_id: int, since: date) -> sa.ColumnElement[bool]:
    """The provider took on a stage or support for the candidate in a cohort where the
    candidate is at the table. It ends when the agreement is removed, when the candidate
    leaves the table (removed from the cohort), or ``since`` after the file was closed."""
    at_the_table = (
        sa.select(CohortAgreement.candidate_id)
        .join(CohortCandidate, sa.and_(CohortCandidate.cohort_id == CohortAgreement.cohort_id,
                                       CohortCandidate.candidate_id == CohortAgreement.candidate_id))
        .where(CohortAgreement.provider_id == provider_id,
               CohortCandidate.status == CohortCandidateStatus.ACCEPTED)
        .correlate(None))
    # An uncorrelated IN, read once (not an EXISTS per candidate; see stages.scope).
    return sa.and_(
        Candidate.id.in_(at_the_table),
        sa.or_(Candidate.status != CandidateStatus.UITGESTROOMD,
               Candidate.closed_on.is_(None), Candidate.closed_on >= since),
    )
