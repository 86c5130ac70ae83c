"""Reading the confirmation page (trajectory/confirm.py) as a browser would, for the
tests of every irreversible action."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ConfirmationPage:
    action: str | None = None
    method: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: int = 0
    cancel: str | None = None
    scripts: int = 0
    inline_handlers: int = 0

    def value(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = ConfirmationPage()
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.page.scripts += 1
        if any(name.startswith("on") for name in attrs):
            self.page.inline_handlers += 1
        if tag == "form" and "data-confirm" in attrs:
            self.in_form = True
            self.page.action, self.page.method = attrs.get("action"), attrs.get("method")
        elif self.in_form and tag == "input":
            self.page.fields.append((attrs.get("name"), attrs.get("value", "")))
        elif self.in_form and tag == "button" and attrs.get("type") == "submit":
            self.page.buttons += 1
        elif self.in_form and tag == "a" and "data-cancel" in attrs:
            self.page.cancel = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def read(html: str) -> ConfirmationPage | None:
    """The confirmation form of a page, or None when the page has none."""
    reader = _Reader()
    reader.feed(html)
    return reader.page if reader.page.action is not None else None


def asked(response, path: str) -> ConfirmationPage:
    """The response is the confirmation page for ``path``: a plain POST form back to the
    same URL with ``confirmed=1`` and a CSRF token, one button, a cancel link, no script."""
    assert response.status_code == 200, response.status_code
    page = read(response.text)
    assert page is not None, "no confirmation form on the page"
    assert page.method == "post" and page.action == path, (page.method, page.action)
    assert page.value("confirmed") == "1" and page.value("csrf_token")
    assert page.buttons == 1 and page.cancel
    assert page.scripts == 0 and page.inline_handlers == 0  # works without JavaScript
    return page


def say_yes(client, page: ConfirmationPage):
    """Press "Ja, ...": post exactly what the confirmation page carries (its own token)."""
    data: dict[str, list[str]] = {}
    for name, value in page.fields:
        data.setdefault(name, []).append(value)
    return client.post(page.action, data=data)
