"""Candidates: the candidate file, the personal plan, buddies and the participatieladder."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Need to know: the base provider connection (the buddy's provider) and the
    templates' ``candidate_view`` / ``stage_notes_visible`` (trajectory.candidates.need_to_know)."""
    from trajectory.candidates import need_to_know

    need_to_know.init_app(app)
