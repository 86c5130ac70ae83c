"""Queue what is due and send it, each message once (docs/notifications.md).

Two steps, both safe to run twice at the same time:

1. ``queue_due``: the kinds' finders (``rules.KINDS``) give the messages due now; each is
   inserted with its unique key and ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL),
   so a message computed by two runs is one row.
2. ``deliver``: each queued row is *claimed* by ``UPDATE ... SET status='sending' WHERE
   id = :id AND status = 'queued'`` in its own transaction; only the run whose update
   changed the row sends it (the other's WHERE no longer matches, on PostgreSQL after
   waiting for the row lock). Sent: ``sent``, with the time and the address. A temporary
   failure puts it back to ``queued`` with the attempt counted and the error kept (the
   next run tries again, up to ``NOTIFY_MAX_ATTEMPTS``); a permanent one: ``failed``.

A row left in ``sending`` (a run killed mid-send) is never sent again by itself: the
server may have taken it, and a message sent twice is worse than one an operator resends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_babel import force_locale

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.notify import mail, rules
from trajectory.notify.models import NotificationPreference, OutboxMessage, OutboxStatus
from trajectory.timeutil import AMSTERDAM, utcnow

DEFAULT_LANGUAGE = "nl"


def preferences(user_ids: list[int]) -> dict[int, NotificationPreference]:
    if not user_ids:
        return {}
    rows = db.session.scalars(sa.select(NotificationPreference)
                              .where(NotificationPreference.user_id.in_(user_ids)))
    return {row.user_id: row for row in rows}


def preference_of(user: User) -> NotificationPreference:
    """The user's row, or the defaults (not added to the session)."""
    row = db.session.get(NotificationPreference, user.id)
    return row or NotificationPreference(user_id=user.id, language=DEFAULT_LANGUAGE,
                                         digest="off", muted=[])


def has_address(user: User) -> bool:
    return bool((user.email or "").strip())


def recipients() -> list[User]:
    """Everyone who can receive e-mail: active, in an active organisation, with an address."""
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.email.is_not(None),
                              sa.func.trim(User.email) != "")
        .order_by(User.id)).all()
    return [user for user in users if user.is_active]


def due_notices(day: date, now: datetime) -> list[tuple[rules.Kind, rules.Notice]]:
    """Every message due now, for every kind and recipient (``rules.KINDS``)."""
    users = recipients()
    chosen = preferences([user.id for user in users])
    found: list[tuple[rules.Kind, rules.Notice]] = []
    for kind in rules.KINDS:
        mine = [user for user in users if kind.roles & user.roles
                and kind.key not in (chosen[user.id].muted if user.id in chosen else [])]
        if mine:
            found.extend((kind, notice) for notice in kind.find(mine, day, now))
    return found


def _insert(rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose key is new; a key already there (another run) is skipped."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = db.session.execute(
        insert(OutboxMessage).values(rows).on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id)).all()
    return len(inserted)


def rows_for(notices: list[tuple[rules.Kind, rules.Notice]], now: datetime,
             known: set[str] | None = None) -> list[dict[str, Any]]:
    """The outbox rows of these notices, each in its recipient's language (inside a
    request context on the public address: ``url_for`` and ``request.host_url``)."""
    known = set() if known is None else known
    chosen = preferences(list({notice.user.id for _kind, notice in notices}))
    root = request.host_url.rstrip("/")
    choices = root + url_for("notify.preferences")
    rows = []
    for kind, notice in notices:
        if notice.key in known:
            continue
        known.add(notice.key)
        language = chosen[notice.user.id].language if notice.user.id in chosen \
            else DEFAULT_LANGUAGE
        link = root + notice.path
        with force_locale(language):
            subject, body = rules.render(kind, notice, link, choices)
        rows.append({"key": notice.key[:200], "kind": kind.key, "user_id": notice.user.id,
                     "email": notice.user.email.strip(), "language": language,
                     "subject": subject[:300], "body": body, "link": link[:500],
                     "status": OutboxStatus.QUEUED.value, "attempts": 0, "created_at": now})
    return rows


def queue_due(smtp: mail.SmtpSettings, now: datetime | None = None) -> int:
    """Compute the messages due and queue the new ones; returns how many were queued."""
    now = now or utcnow()
    day = now.astimezone(AMSTERDAM).date()
    with current_app.test_request_context("/", base_url=smtp.base_url + "/"):
        notices = due_notices(day, now)
        keys = [notice.key for _kind, notice in notices]
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            known.update(db.session.scalars(
                sa.select(OutboxMessage.key).where(OutboxMessage.key.in_(keys[start:start + 500]))))
        rows = rows_for(notices, now, known)
    queued = 0
    for start in range(0, len(rows), 200):
        queued += _insert(rows[start:start + 200])
    db.session.commit()
    return queued


@dataclass
class Delivery:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    error: str | None = None  # the last temporary error (the summary names it)


def _claim(message_id: int, now: datetime) -> bool:
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now,
                attempts=OutboxMessage.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, **values: Any) -> None:
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(**values))
    db.session.commit()


def deliver(smtp: mail.SmtpSettings, now: datetime | None = None) -> Delivery:
    """Send every queued message once: claim, send, record. A failure to reach the server
    stops the run (the rest stays queued for the next)."""
    now = now or utcnow()
    result = Delivery()
    most = current_app.config["NOTIFY_MAX_ATTEMPTS"]
    ids = list(db.session.scalars(sa.select(OutboxMessage.id)
                                  .where(OutboxMessage.status == OutboxStatus.QUEUED)
                                  .order_by(OutboxMessage.id)))
    db.session.commit()
    connection = mail.Connection(smtp)
    try:
        for message_id in ids:
            if not _claim(message_id, now):
                continue  # another run has it
            row = db.session.get(OutboxMessage, message_id)
            if not (row.user.is_active and has_address(row.user)):
                # Deactivated, or the address removed, since it was queued: not sent.
                _finish(message_id, status=OutboxStatus.FAILED,
                        last_error="Niet verstuurd: het account is niet actief of heeft "
                                   "geen e-mailadres meer.")
                result.failed += 1
                continue
            if row.email != row.user.email.strip():
                row.email = row.user.email.strip()  # the address as it is now
            message = mail.build(smtp, row.email, row.subject, row.body, row.key)
            attempts = row.attempts
            db.session.commit()
            try:
                connection.send(message)
            except mail.PermanentFailure as error:
                _finish(message_id, status=OutboxStatus.FAILED, last_error=str(error)[:500])
                result.failed += 1
            except mail.TemporaryFailure as error:
                final = attempts >= most
                _finish(message_id, status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
                        last_error=str(error)[:500])
                if final:
                    result.failed += 1
                else:
                    result.retry += 1
                    result.error = str(error)
                if error.unreachable:
                    break  # the server cannot be reached: the next run tries again
            else:
                _finish(message_id, status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
                result.sent += 1
    finally:
        connection.close()
    return result


def waiting() -> int:
    return int(db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))
                                 .where(OutboxMessage.status == OutboxStatus.QUEUED)) or 0)


def send_due(smtp: mail.SmtpSettings, now: datetime | None = None) -> tuple[int, Delivery]:
    queued = queue_due(smtp, now)
    return queued, deliver(smtp, now)


def recent_for(user: User, limit: int = 10) -> list[OutboxMessage]:
    """What was sent (or is waiting) for this user, newest first (the account page)."""
    return list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == user.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def save_preferences(user: User, *, language: str, digest: str, muted: list[str]) -> None:
    """The account page's choices (audited like any change: NotificationPreference)."""
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    row.language = language
    row.digest = digest
    row.muted = sorted(set(muted))
    db.session.flush()
