"""Every response that shows a person's data writes its processing-log lines.

Two ways in, one writer:

* **Explicit**: a view names what it shows, ``show_subjects(candidates, ...)``
  or ``render_personal(template, subjects=..., ...)``, and
  ``log_processing`` (trail.py) queues its line the same way. The line says
  what was shown (action, object, data categories).
* **The safety net**: every candidate-related object the request loads from
  the database (``Candidate`` itself and every audited model with a
  ``candidate_id`` column: plan items, stages, contacts, cohort rows ...) is
  noted with its identifying values (names, phone, e-mail, BSN, address,
  free texts). After the view, a response that shows one of those values
  (HTML, CSV, the text of an XLSX; a PDF counts as showing everything the
  request loaded) gets a line for that person unless the view already wrote
  one. A page cannot show a person's data without a line, even when its view
  forgot to say so.

The lines are queued in ``g`` and written with one bulk insert inside the
request's commit: a ``before_commit`` listener adds them to whatever the view
commits, and the ``after_request`` hook commits what is left (pages that only
read). Uncommitted changes a read-only view leaves behind are rolled back
first, exactly as the end of the request would have done. If the log cannot
be written the page is not sent (500).
"""

from __future__ import annotations

import enum
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, g, has_request_context, render_template, request
from markupsafe import escape

from trajectory.audit.models import ProcessingLogEntry
from trajectory.extensions import db

DEFAULT_ACTIVITY = "re-integratie"
HTML_TYPES = ("text/html", "text/csv", "text/plain")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
JSON_TYPE = "application/json"
# Values shorter than this are not searched for (too many accidental matches).
MIN_NEEDLE = 6
# Free-text columns: strings at least this long in the schema.
FREE_TEXT_LENGTH = 100

# Candidate columns that identify the person, with their data category.
CANDIDATE_FIELDS = {
    "phone": "contact", "email": "contact", "street": "adres", "bsn": "bsn",
    "pause_reason": "status", "outflow_note": "status",
}
# Data category per model of the free texts the safety net looks for.
MODEL_CATEGORIES = {
    "Plan": "plan", "Goal": "plan", "GoalStep": "plan", "Barrier": "plan",
    "Training": "plan", "PlanVersion": "plan", "Measurement": "participatieladder",
    "ZrmScore": "participatieladder", "BenefitPeriod": "uitkering", "BuddyAssignment": "contact",
    "Stage": "leerlijn", "ContactLog": "contactlog", "CohortCandidate": "cohort",
    "CohortAgreement": "cohort", "Claim": "claim",
}


@dataclass
class RequestLog:
    """What this request has shown and not yet committed to the log."""

    pending: list[dict[str, Any]] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)  # inserted, not committed
    logged: set[tuple[str, str]] = field(default_factory=set)    # subjects with a line
    # candidate id -> {needle: category}
    loaded: dict[int, dict[str, str]] = field(default_factory=dict)
    # stage id -> {needle: category}, for objects about a stage (a labour claim)
    by_stage: dict[int, dict[str, str]] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        if row.get("subject_type") and row.get("subject_id") is not None:
            self.logged.add((row["subject_type"], row["subject_id"]))


def _request_log() -> RequestLog | None:
    if not has_request_context():
        return None
    log = g.get("_processing_log")
    if log is None:
        log = g._processing_log = RequestLog()
    return log


def log_row(action: str, object_type: str, object_id: Any, *,
            subject: tuple[str, Any] | None, activity: str, categories: Iterable[str],
            result: str) -> dict[str, Any]:
    """One processing-log row as a plain dict (for the bulk insert)."""
    from trajectory.audit.trail import current_actor, current_request_id
    from trajectory.timeutil import utcnow

    actor = current_actor()
    return {
        "at": utcnow(),
        "request_id": current_request_id(),
        "actor_user_id": actor.user_id,
        "actor_name": actor.name,
        "actor_roles": actor.roles,
        "actor_organisation_id": actor.organisation_id,
        "action": action[:60],
        "processing_activity": activity[:80],
        "object_type": object_type[:60],
        "object_id": None if object_id is None else str(object_id)[:60],
        "subject_type": subject[0] if subject else None,
        "subject_id": str(subject[1]) if subject else None,
        "result": result,
        "data_categories": ",".join(dict.fromkeys(categories))[:200],
    }


def queue(row: dict[str, Any]) -> bool:
    """Queue a row for this request's commit; False outside a request."""
    log = _request_log()
    if log is None:
        return False
    log.add(row)
    return True


def _subject_id(subject: Any) -> int:
    return subject if isinstance(subject, int) else subject.id


def show_subjects(subjects: Iterable[Any], *, action: str = "view",
                  object_type: str = "Candidate", object_id: Any = None,
                  categories: Iterable[str] = ("naam",),
                  activity: str = DEFAULT_ACTIVITY) -> None:
    """This response shows these candidates' data (candidates or their ids):
    one line per person. ``object_id`` defaults to the candidate's id."""
    categories = tuple(categories)
    for subject in subjects:
        candidate_id = _subject_id(subject)
        queue(log_row(action, object_type, candidate_id if object_id is None else object_id,
                      subject=("Candidate", candidate_id), activity=activity,
                      categories=categories, result="success"))


def render_personal(template: str, *, subjects: Iterable[Any], action: str = "view",
                    object_type: str = "Candidate", object_id: Any = None,
                    categories: Iterable[str] = ("naam",),
                    activity: str = DEFAULT_ACTIVITY, **context: Any) -> str:
    """``render_template`` for a page with personal data: its log lines included."""
    show_subjects(subjects, action=action, object_type=object_type, object_id=object_id,
                  categories=categories, activity=activity)
    return render_template(template, **context)


def write_now() -> None:
    """Insert the queued lines into the current transaction (not yet committed), e.g.
    so that "Wie heeft dit dossier bekeken" on the same page includes this visit."""
    log = _request_log()
    if log is not None and log.pending:
        _insert(db.session, log)


def _insert(session: so.Session, log: RequestLog) -> None:
    rows, log.pending = log.pending, []
    session.connection().execute(sa.insert(ProcessingLogEntry.__table__), rows)
    log.written.extend(rows)


# ------------------------------------------------------------------ session listeners

def _before_commit(session: so.Session) -> None:
    log = g.get("_processing_log") if has_request_context() else None
    if log is not None and log.pending:
        _insert(session, log)


def _after_commit(session: so.Session) -> None:
    log = g.get("_processing_log") if has_request_context() else None
    if log is not None:
        log.written.clear()


def _after_rollback(session: so.Session) -> None:
    """Lines inserted but rolled back are queued again: the page was still shown."""
    log = g.get("_processing_log") if has_request_context() else None
    if log is not None and log.written:
        log.pending[:0] = log.written
        log.written = []


# ------------------------------------------------------------------ the safety net

_PLANS: dict[type, tuple[str, dict[str, str]] | None] = {}


def _plan_for(cls: type) -> tuple[str, dict[str, str]] | None:
    """(the attribute holding the candidate id, {column: category}) or None."""
    if cls in _PLANS:
        return _PLANS[cls]
    plan = None
    mapper = sa.inspect(cls)
    columns = {attr.key: attr.columns[0] for attr in mapper.column_attrs}
    if cls.__name__ == "Candidate" and "first_name" in columns:
        plan = ("id", dict(CANDIDATE_FIELDS))
    elif ("candidate_id" in columns or "stage_id" in columns) and getattr(cls, "__audit__", False):
        category = MODEL_CATEGORIES.get(cls.__name__, "dossier")
        texts = {}
        for key, column in columns.items():
            kind = column.type
            if isinstance(kind, sa.Enum) or not isinstance(kind, sa.String):
                continue
            if isinstance(kind, sa.Text) or (kind.length or 0) >= FREE_TEXT_LENGTH:
                texts[key] = category
        plan = ("candidate_id" if "candidate_id" in columns else "stage_id", texts)
    _PLANS[cls] = plan
    return plan


def _note_loaded(target: Any, *args: Any) -> None:
    """``load``/``refresh``: remember a candidate-related object this request loaded."""
    if not has_request_context():
        return
    plan = _plan_for(type(target))
    if plan is None:
        return
    values = target.__dict__
    candidate_id = values.get(plan[0])
    if candidate_id is None:
        return
    log = _request_log()
    if log is None:
        return
    key_map = log.by_stage if plan[0] == "stage_id" else log.loaded
    needles = key_map.setdefault(candidate_id, {})
    if plan[0] == "id":
        first, middle, last = (values.get("first_name"), values.get("tussenvoegsel"),
                               values.get("last_name"))
        if first and last:
            needles[" ".join(p for p in (first, middle, last) if p)] = "naam"
            needles[f"{last}, {first}"] = "naam"
            needles[f"{first} {last[:1]}."] = "naam"  # "Jan V.", as in pick lists
    for key, category in plan[1].items():
        value = values.get(key)
        if isinstance(value, str) and not isinstance(value, enum.Enum) \
                and len(value.strip()) >= MIN_NEEDLE:
            needles[value.strip()] = category


def _response_text(response: Any) -> str | None:
    """The text a person sees in the response; "" for a PDF (not searched); None when
    the response shows nothing (redirects, files passed through)."""
    if response.direct_passthrough or response.is_streamed:
        return None
    mimetype = response.mimetype or ""
    if mimetype in HTML_TYPES:
        return response.get_data(as_text=True)
    if mimetype == XLSX_TYPE:
        try:
            with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
                return "\n".join(archive.read(name).decode("utf-8", "replace")
                                 for name in archive.namelist() if name.endswith(".xml"))
        except zipfile.BadZipFile:
            return ""
    if mimetype == PDF_TYPE:
        return ""
    if mimetype == JSON_TYPE:  # the API (trajectory/api): every text in the document
        return "\n".join(_json_texts(response.get_json(silent=True)))
    return None


def _json_texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_texts(item)


_END = ""  # the key that marks the end of a word in a trie node


def _trie(words: Iterable[str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = word
    return root


def _pattern(trie: dict[str, Any]) -> str:
    """A regular expression of a trie: at each position the engine follows the one branch
    the text allows (linear in the text, not in the number of words)."""
    def branch(node: dict[str, Any]) -> str:
        chain = []  # a run of single characters, no word ending inside it: no group
        while len(node) == 1 and _END not in node:
            (char, node), = node.items()
            chain.append(re.escape(char))
        options = [re.escape(char) + branch(child)
                   for char, child in sorted(node.items()) if char != _END]
        if not options:
            return "".join(chain)
        body = options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"
        return "".join(chain) + (f"(?:{body})?" if _END in node else body)

    return branch(trie)


class Needles:
    """Which of many values a text shows, in one pass over the text, with the same answer
    as ``needle in text or escape(needle) in text`` for each (the HTML-escaped form of a
    value counts as the value).

    A regular expression of the forms' heads (their first ``HEAD`` characters, a trie)
    runs as a lookahead, so it finds, at C speed, every position where a form may start,
    also where forms overlap or sit inside one another: it matches the longest head at a
    position, and the shorter heads there are its prefixes. From such a position a walk
    down the trie of the rest of that head's forms (built the first time the head is
    found) collects each form that starts there. The short heads keep the expression small
    and quick to compile, and a value that is never in the text costs no more than its
    head: a 1,600-line ledger workbook and the thousands of values of its people take
    one scan, not one search per value and person."""

    HEAD = 12

    def __init__(self, needles: Iterable[str]) -> None:
        self.forms: dict[str, set[str]] = {}  # a form in the text -> the values it shows
        for needle in needles:
            for form in (needle, str(escape(needle))):
                if form:
                    self.forms.setdefault(form, set()).add(needle)
        self.groups: dict[str, list[str]] = {}  # head -> the forms that start with it
        for form in self.forms:
            self.groups.setdefault(form[:self.HEAD], []).append(form)
        self.tries: dict[str, dict[str, Any]] = {}
        self.lengths = sorted({len(head) for head in self.groups})
        try:
            self.regex = re.compile("(?=(" + _pattern(_trie(self.groups)) + "))") \
                if self.forms else None
        except (RecursionError, re.error):  # heads nested beyond the parser's depth
            self.regex = None

    def _rest(self, head: str) -> dict[str, Any]:
        """The trie of what follows ``head`` in its forms (a form that is the head: the
        root ends a word)."""
        if head not in self.tries:
            root: dict[str, Any] = {}
            for form in self.groups[head]:
                node = root
                for char in form[len(head):]:
                    node = node.setdefault(char, {})
                node[_END] = form
            self.tries[head] = root
        return self.tries[head]

    def found(self, text: str) -> set[str]:
        """The values the text shows."""
        if self.regex is None:  # nothing to look for, or the plain search per form
            return {needle for form, needles in self.forms.items() if form in text
                    for needle in needles}
        shown: set[str] = set()
        size = len(text)
        for match in self.regex.finditer(text):
            longest = match.group(1)
            for length in self.lengths:
                if length > len(longest):
                    break
                head = longest[:length]
                if head not in self.groups:
                    continue
                node, at = self._rest(head), match.start() + length
                if _END in node:
                    shown.add(node[_END])
                while at < size and (node := node.get(text[at])) is not None:
                    if _END in node:
                        shown.add(node[_END])
                    at += 1
        return {needle for form in shown for needle in self.forms[form]}


def _shown(needles: dict[str, str], found: set[str], mimetype: str) -> list[str]:
    """The categories of the needles the text shows (``found``: ``Needles.found``; all of
    them for a PDF)."""
    if mimetype == PDF_TYPE:
        return list(dict.fromkeys(needles.values()))
    found_categories = []
    for needle, category in needles.items():
        if category not in found_categories and needle in found:
            found_categories.append(category)
    return found_categories


def _stage_subjects(log: RequestLog, found: set[str], mimetype: str
                    ) -> dict[int, dict[str, str]]:
    """Objects about a stage whose values the response shows, by the stage's candidate."""
    shown = {stage_id: needles for stage_id, needles in log.by_stage.items()
             if needles and _shown(needles, found, mimetype)}
    if not shown:
        return {}
    stage = next(m.class_ for m in db.Model.registry.mappers if m.class_.__name__ == "Stage")
    owners = dict(db.session.execute(sa.select(stage.id, stage.candidate_id)
                                     .where(stage.id.in_(list(shown)))).all())
    result: dict[int, dict[str, str]] = {}
    for stage_id, needles in shown.items():
        if stage_id in owners:
            result.setdefault(owners[stage_id], {}).update(needles)
    return result


def _safety_net(log: RequestLog, response: Any) -> None:
    if not (log.loaded or log.by_stage) or response.status_code >= 400:
        return
    text = _response_text(response)
    if text is None:
        return
    mimetype = response.mimetype or ""
    action = "view" if mimetype == "text/html" else "export"
    found: set[str] = set()
    if mimetype != PDF_TYPE:  # one pass over the text for every value of every person
        found = Needles(needle for by_id in (log.loaded, log.by_stage)
                        for needles in by_id.values() for needle in needles).found(text)
    loaded = {cid: dict(needles) for cid, needles in log.loaded.items()}
    for cid, needles in _stage_subjects(log, found, mimetype).items():
        loaded.setdefault(cid, {}).update(needles)
    for candidate_id, needles in loaded.items():
        if ("Candidate", str(candidate_id)) in log.logged or not needles:
            continue
        categories = _shown(needles, found, mimetype)
        if categories:
            log.add(log_row(action, "Page", request.endpoint or request.path,
                            subject=("Candidate", candidate_id), activity=DEFAULT_ACTIVITY,
                            categories=categories, result="success"))


def _commit_processing_log(response: Any) -> Any:
    """``after_request``: add the lines the safety net finds, commit what is left."""
    log = g.get("_processing_log")
    if log is None:
        return response
    if response.status_code >= 400:
        log.pending.clear()  # refused or failed: nothing was shown
    else:
        _safety_net(log, response)
    if not log.pending and not log.written:
        return response
    try:
        db.session.rollback()  # whatever the view left uncommitted ends here, as it would
        _insert(db.session, log)
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("processing log could not be written")
        from trajectory.main.errors import render_error

        body, code = render_error(500)
        return current_app.make_response((body, code))
    return response


def init_processing_log(app: Flask) -> None:
    """Attach the listeners and the ``after_request`` writer (idempotent listeners)."""
    for name, listener in (("before_commit", _before_commit), ("after_commit", _after_commit),
                           ("after_rollback", _after_rollback)):
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
    if not sa.event.contains(db.Model, "load", _note_loaded):
        sa.event.listen(db.Model, "load", _note_loaded, propagate=True)
        sa.event.listen(db.Model, "refresh", _note_loaded, propagate=True)
    app.after_request(_commit_processing_log)
