"""Every audited model and every audited column says how it reads in "Geschiedenis":
a label, or "not shown" (docs/extending.md, "Adding a field")."""

from __future__ import annotations

import re

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.audit.labels import audited_models, field_spec, missing_labels


def test_every_audited_model_and_column_has_a_label_or_is_declared_not_shown(app):
    assert len(audited_models()) >= 30
    assert missing_labels() == [], (
        "declare __label__ on the model and info={'label': _l(...)} (or info={'shown': False}) "
        "on each column; a shown foreign key's target model needs __title__: "
        f"{missing_labels()}")


def test_the_walk_finds_what_a_new_model_forgets():
    class Base(so.DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        __audit__ = True

        id: so.Mapped[int] = so.mapped_column(primary_key=True)
        colour: so.Mapped[str] = so.mapped_column(sa.String(20))
        secret: so.Mapped[str] = so.mapped_column(sa.String(20), info={"shown": False})
        size: so.Mapped[int] = so.mapped_column(info={"label": "Size"})

    assert missing_labels([Thing]) == ["Thing", "Thing.colour"]
    assert not field_spec(Thing, "secret").shown and not field_spec(Thing, "id").shown
    assert field_spec(Thing, "size").label == "Size"


def test_bookkeeping_is_declared_not_shown(app):
    """Locks, timestamps and hashes never appear in a history."""
    for cls in audited_models():
        for attr in sa.inspect(cls).column_attrs:
            if attr.key in ("lock_version", "version", "sha256", "search_name",
                            "session_token", "created_at", "updated_at", "snapshot"):
                spec = field_spec(cls, attr.key)
                assert not spec.shown, f"{cls.__name__}.{attr.key}"


def test_the_history_of_an_account_reads_in_words(world, beheer_client):
    """The same renderer on the account page: labels, names, Dutch moments; never a
    column name, a secret or a raw timestamp."""
    user = world.user("klantmanager")
    beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken", data={
        "full_name": "Sanne Bosman-de Wit", "username": user.username, "email": user.email or "",
        "organisation_id": str(user.organisation_id),
        "roles": sorted(r.value for r in user.roles)})
    page = beheer_client.get(f"/beheer/gebruikers/{user.id}").text
    history = page[page.index("history-changes"):]
    assert "Sanne Bosman → Sanne Bosman-de Wit" in history
    for raw in ("<code>full_name</code>", "full_name", "password_hash", "last_login_at",
                "organisation_id"):
        assert raw not in history, raw
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", history)
