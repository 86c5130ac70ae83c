"""``make bench``: how fast the pages are as a region grows (issue 13).

Builds the demo plus a generated region at two sizes on SQLite and PostgreSQL
(``build``), serves each with gunicorn as in production (``server``), logs in as
the demo accounts through the real login (``client``), times the pages of
``pages.PAGES`` and 16 concurrent users (``load``), and writes the table into
docs/performance.md (``report``). ``runner`` ties them together; see README.md here.
"""
