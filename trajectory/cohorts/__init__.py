"""Cohorts at the overlegtafel, the signals, and the quarterly evaluation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """An agreement at a cohort's table connects the candidate to that provider
    (trajectory.candidates.need_to_know)."""
    from trajectory.candidates.need_to_know import register_connection
    from trajectory.cohorts.scope import agreement_at_the_table

    register_connection(app, "cohort_agreement", agreement_at_the_table)

    from trajectory.cohorts import exports

    exports.install()  # the candidate export's cohort column

    from trajectory.cohorts import signal_facts

    signal_facts.install()  # stored signal facts follow the facts they come from
