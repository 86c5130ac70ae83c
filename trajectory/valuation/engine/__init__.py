"""The SROI valuation engine: the building-block rules as pure functions.

Pure on purpose: it imports only the standard library (no Flask, no SQLAlchemy,
nothing else from `trajectory`). The same code then serves the web pages, the
`flask sroi check` command and the tests, gives the same euros everywhere, and can
be checked against worked examples without a database or an app. Inputs are
frozen dataclasses, money is Decimal, every rate comes from a rulebook edition
(TOML in `trajectory/valuation/rulebooks/`), and every result carries its
explanation in Dutch.
"""

from .compute import (
    compute_obligation,
    select_block,
    value_activity,
    value_fund,
    value_item,
    value_purchase,
    value_stage,
)
from .formatting import format_date, format_eur, format_number, round_half_up
from .model import (
    BENEFITS,
    STAGE_KINDS,
    Activity,
    Candidate,
    Contract,
    Fund,
    InputError,
    Obligation,
    Purchase,
    Stage,
    Valuation,
)
from .periods import Period, add_months, exact_months_between, months_between
from .rulebook import (
    RULEBOOK_DIR,
    LabourBlock,
    Rulebook,
    RulebookError,
    available_rulebooks,
    load_rulebook,
    load_rulebook_file,
    newest_rulebook,
    rulebook_in_force,
)
from .scenarios import Outcome, Scenario, ScenarioError, evaluate, parse_scenarios, run_scenarios
from .trajectory import (
    BenefitPeriod,
    ContractPeriods,
    Credit,
    Person,
    Step,
    TrajectoryValuation,
    benefit_reading,
    value_additional_project,
    value_trajectory,
)

__all__ = [
    "BENEFITS",
    "RULEBOOK_DIR",
    "STAGE_KINDS",
    "Activity",
    "BenefitPeriod",
    "ContractPeriods",
    "Credit",
    "Person",
    "Step",
    "TrajectoryValuation",
    "benefit_reading",
    "value_additional_project",
    "value_trajectory",
    "Candidate",
    "Contract",
    "Fund",
    "InputError",
    "LabourBlock",
    "Obligation",
    "Outcome",
    "Period",
    "Purchase",
    "Rulebook",
    "RulebookError",
    "Scenario",
    "ScenarioError",
    "Stage",
    "Valuation",
    "add_months",
    "available_rulebooks",
    "compute_obligation",
    "evaluate",
    "exact_months_between",
    "format_date",
    "format_eur",
    "format_number",
    "load_rulebook",
    "load_rulebook_file",
    "months_between",
    "newest_rulebook",
    "parse_scenarios",
    "round_half_up",
    "rulebook_in_force",
    "run_scenarios",
    "select_block",
    "value_activity",
    "value_fund",
    "value_item",
    "value_purchase",
    "value_stage",
]
