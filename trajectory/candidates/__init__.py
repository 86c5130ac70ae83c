"""Candidates: the candidate file, the personal plan, buddies and the participatieladder."""
