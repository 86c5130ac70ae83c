"""Retention and destruction of closed candidate files (issue 11).

A closed file (``Candidate.status == UITGESTROOMD``) is due for destruction
``RETENTION_YEARS`` after ``closed_on``, later while a legal hold stands. One
beheerder requests, a second, different one approves; approval anonymises the
file in one transaction and writes a ``DestructionRecord`` (categories and
counts, never values). See docs/operations.md.
"""
