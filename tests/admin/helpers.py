"""Reading the admin pages the way a person does: messages, errors, table rows."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import escape

from tests.factories import PASSWORD
from trajectory.audit.models import AuditEvent
from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import Organisation


def t(app, msgid: str, **variables) -> str:
    """A message as the page shows it: in the page's language (nl), HTML-escaped.

    Works with and without compiled translations: without them the English
    msgid is what the page shows.
    """
    with app.test_request_context():
        return str(escape(gettext(msgid, **variables)))


def wtforms_t(app, msgid: str) -> str:
    """A WTForms built-in message ("This field is required.") as the page shows it."""
    with app.test_request_context():
        return str(escape(wtforms_translations.gettext(msgid)))


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def field_error(page: str, field_id: str) -> str | None:
    """The error message shown next to a field (without the hidden "Error:" prefix)."""
    match = re.search(rf'<p class="utrecht-form-field-error-message" id="{field_id}-error">'
                      r'<span class="visually-hidden">[^<]*</span>(.*?)</p>', page, re.S)
    return match.group(1).strip() if match else None


def error_summary(page: str) -> list[tuple[str, str]]:
    """(link target, message) for each entry of the error summary at the top."""
    match = re.search(r'class="[^"]*error-summary[^"]*".*?<ul[^>]*>(.*?)</ul>', page, re.S)
    if not match:
        return []
    return [(href, message.strip()) for href, message in
            re.findall(r'<a class="utrecht-link" href="([^"]*)">(.*?)</a>', match.group(1), re.S)]


def in_summary(page: str, href: str, message: str) -> bool:
    """The summary links to ``href`` with ``message`` (perhaps after the field's label)."""
    return any(target == href and (text == message or text.endswith(f": {message}"))
               for target, text in error_summary(page))


def summary_targets(page: str) -> list[str]:
    return [href for href, _message in error_summary(page)]


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def selected_option(page: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    if not select:
        return None
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(1))
    return chosen.group(1) if chosen else None


def option_values(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select named {name}"
    return re.findall(r'<option[^>]*value="([^"]*)"', select.group(1))


def checked_values(page: str, name: str) -> set[str]:
    return {re.search(r'value="([^"]*)"', tag).group(1)
            for tag in re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
            if re.search(r"\bchecked\b", tag)}


def alert_texts(page: str) -> list[str]:
    """The text of every alert and status message (flash messages, error summary)."""
    return [_plain(fragment) for fragment in
            re.findall(r'<div class="utrecht-alert[^"]*"[^>]*>(.*?)</div>\s*</div>', page, re.S)]


def usernames_in_table(page: str) -> list[str]:
    body = re.search(r'<tbody class="utrecht-table__body">(.*?)</tbody>', page, re.S)
    if not body:
        return []
    return re.findall(r'<td class="utrecht-table__cell"><code>([^<]*)</code></td>', body.group(1))


def temporary_password(page: str) -> str:
    match = re.search(r'<code class="secret" id="temporary-password">([^<]+)</code>', page)
    assert match, "no temporary password on the page"
    return html.unescape(match.group(1))


def login_alert(client, username: str, password: str) -> tuple[int, str]:
    """Try to log in; the status and the page's error text."""
    response = client.post("/inloggen", data={"username": username, "password": password})
    texts = alert_texts(response.text) if response.status_code == 200 else []
    return response.status_code, " ".join(texts)


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.username == username)).first()


def add_users(organisation: Organisation, usernames: Iterable[str],
              role: Role = Role.KLANTMANAGER) -> list[User]:
    """Many accounts at once (one password hash, one commit)."""
    password_hash = hash_password(PASSWORD)
    users = []
    for username in usernames:
        user = User(username=username, full_name=f"Test {username}",
                    organisation=organisation, password_hash=password_hash)
        user.set_roles({role})
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users
