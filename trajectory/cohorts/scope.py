"""Cohorts connect candidates to providers: an agreement at the table (who does what)
makes the candidate "connected" to that provider, so its intaker sees the file with
the intaker's view (trajectory.candidates.scope.PROVIDER_CONNECTIONS)."""

from __future__ import annotations

import sqlalchemy as sa

from trajectory.candidates.models import Candidate
from trajectory.candidates.scope import PROVIDER_CONNECTIONS
from trajectory.cohorts.models import CohortAgreement, CohortCandidate, CohortCandidateStatus


def agreement_at_the_table(provider_id: int) -> sa.ColumnElement[bool]:
    """The provider took on a stage or support for the candidate in a cohort where the
    candidate is at the table."""
    return sa.exists().where(
        CohortAgreement.candidate_id == Candidate.id,
        CohortAgreement.provider_id == provider_id,
        sa.exists().where(CohortCandidate.cohort_id == CohortAgreement.cohort_id,
                          CohortCandidate.candidate_id == CohortAgreement.candidate_id,
                          CohortCandidate.status == CohortCandidateStatus.ACCEPTED),
    )


if agreement_at_the_table not in PROVIDER_CONNECTIONS:
    PROVIDER_CONNECTIONS.append(agreement_at_the_table)
