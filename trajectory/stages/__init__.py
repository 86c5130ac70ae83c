"""The learning line: stages of a candidate at providers, from intake to paid job."""

from flask import Flask


def init_app(app: Flask) -> None:
    """A stage at a provider connects the candidate to it (trajectory.candidates.need_to_know)."""
    from trajectory.candidates.need_to_know import register_connection
    from trajectory.stages.scope import stage_at_provider

    register_connection(app, "stage", stage_at_provider)

    from trajectory.stages import exports

    exports.install()  # the candidate export's stage columns

    from trajectory.stages import stored_values

    stored_values.install()  # stored stage values follow the facts they come from
