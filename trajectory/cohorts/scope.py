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
    return sa.and_(
        sa.exists().where(
            CohortAgreement.candidate_id == Candidate.id,
            CohortAgreement.provider_id == provider_id,
            sa.exists().where(CohortCandidate.cohort_id == CohortAgreement.cohort_id,
                              CohortCandidate.candidate_id == CohortAgreement.candidate_id,
                              CohortCandidate.status == CohortCandidateStatus.ACCEPTED),
        ),
        sa.or_(Candidate.status != CandidateStatus.UITGESTROOMD,
               Candidate.closed_on.is_(None), Candidate.closed_on >= since),
    )
