"""The organisations people work for."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.extensions import db
from trajectory.timeutil import utcnow


class OrganisationKind(enum.StrEnum):
    """What kind of organisation; decides which roles its people may hold."""

    REGION = "regio"
    MUNICIPALITY = "gemeente"
    PROVIDER = "zorgaanbieder"


KIND_LABELS = {
    OrganisationKind.REGION: _l("Region"),
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.PROVIDER: _l("Care provider"),
}


class Organisation(db.Model):
    """A region, municipality or care provider (zorgaanbieder)."""

    __tablename__ = "organisation"
    __audit__ = True
    __label__ = _l("Organisation")
    __title__ = "name"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True, info={"label": _l("Name")})
    kind: so.Mapped[OrganisationKind] = so.mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e]),
                info={"label": _l("Kind"), "values": KIND_LABELS}
    )
    region_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id"), index=True, info={"label": _l("Region")}
    )
    active: so.Mapped[bool] = so.mapped_column(default=True, info={"label": _l("Active")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})

    region: so.Mapped[Organisation | None] = so.relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r} ({self.kind.value})>"

    @classmethod
    def scope_filter(cls, user) -> sa.ColumnElement[bool]:
        """The region's people see every organisation; others only their own."""
        if user.organisation.is_region:
            return sa.true()
        return cls.id == user.organisation_id

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_municipality(self) -> bool:
        return self.kind is OrganisationKind.MUNICIPALITY

    @property
    def is_provider(self) -> bool:
        return self.kind is OrganisationKind.PROVIDER

    @property
    def is_region(self) -> bool:
        return self.kind is OrganisationKind.REGION
