"""Labour participation as claims: a provider submits a stage (or a period of it) with its
evidence, the SROI adviser judges it like any other claim, and every figure counts it.

It joins two features: the learning line (``trajectory.stages``, whose adapter values a
person's stages together) and the ledger (``trajectory.valuation``). ``init_app`` makes
it the ledger's labour source and the valuer of labour claims.
"""

from __future__ import annotations


def init_app(app) -> None:
    from trajectory.labour.lines import (
        labour_lines,
        labour_totals,
        line_page,
        to_submit,
        value_labour_claim,
    )
    from trajectory.valuation.adapters import register_labour_valuer
    from trajectory.valuation.ledger import (
        register_labour_page,
        register_labour_source,
        register_labour_totals,
    )

    register_labour_source(labour_lines)
    register_labour_totals(labour_lines, labour_totals, to_submit)
    register_labour_page(labour_lines, line_page)
    register_labour_valuer(value_labour_claim)
