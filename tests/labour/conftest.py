"""Labour-line tests: evidence in a temporary folder per test, and a paid job ready to claim."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from tests.candidates.support import replace_benefits
from tests.stages.conftest import P1, goes_candidate, make_stage
from tests.valuation.web.conftest import app_config, evidence_dir  # noqa: F401 - shared fixtures
from tests.valuation.web.sample import make_contract, pdf_bytes
from trajectory.candidates.models import Benefit
from trajectory.stages.models import ContractType, StageKind, StageStatus


def history(world, candidate, *periods) -> None:
    """Give the candidate exactly these benefit periods (through the service)."""
    replace_benefits(world, candidate, *periods)


def upload(name: str, text: str = "Arbeidsovereenkomst") -> tuple[io.BytesIO, str]:
    return (io.BytesIO(pdf_bytes(text)), name)


@pytest.fixture
def contract(world):
    """Zorggroep Scheldezoom and Goes, 2024-2027, € 400.000 a year: obligation € 80.000."""
    return make_contract(world)


def paid_job(world, *, start=date(2025, 2, 1), end=date(2025, 7, 31), hours=36,
             permanent=True, provider=P1, first_name="Zoë"):
    """A Goes candidate on Participatiewet since 2020 (> 2 years: € 40.000 per FTE-year) with
    a finished paid job at Zorggroep Scheldezoom: 6 months at 1 FTE = € 20.000, plus the
    permanent-contract bonus € 10.000 = € 30.000,00."""
    candidate = goes_candidate(world, first_name=first_name, date_of_birth=date(1988, 4, 12))
    history(world, candidate, (Benefit.PARTICIPATIEWET, date(2020, 1, 1), start.replace(day=1)))
    contract_type = ContractType.PERMANENT if permanent else ContractType.TEMPORARY
    return make_stage(world, candidate, provider, StageKind.PAID_JOB, StageStatus.AFGEROND,
                      start=start, end=end, hours_per_week=Decimal(hours), permanent=permanent,
                      outcome={"contract_type": contract_type,
                               "contract_hours": Decimal(hours)})
