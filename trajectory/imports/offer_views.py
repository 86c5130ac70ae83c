"""The provider's offer (Bijlage 1 inventory) and vacancies from a spreadsheet
(/import/aanbod, /import/vacatures): the candidate import's steps, for the provider's
own intaker, who keeps its offer (``can_edit_provider``). Offers hold no personal data:
no processing-log lines; the audit trail follows from the session."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from trajectory.auth.access import allow, require
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.imports import offers, services
from trajectory.imports.forms import ConfirmForm
from trajectory.imports.views import (
    _columns_step,
    _found,
    _table,
    _template_file,
    _upload,
    _upload_step,
    bp,
)
from trajectory.organisations.models import OrganisationKind
from trajectory.providers.models import can_edit_provider
from trajectory.services import ServiceError

KINDS = {"aanbod": offers.OFFERS, "vacatures": offers.VACANCIES}
WHAT = "<any(aanbod, vacatures):what>"


def _own_provider() -> None:
    """The provider's own intaker (who keeps its offer and vacancies), nobody else."""
    organisation = current_user.organisation
    require(organisation.kind is OrganisationKind.PROVIDER
            and can_edit_provider(current_user, organisation.id))


def _titles(what: str) -> dict[str, str]:
    if what == "aanbod":
        return {"title": _("Import your offer")}
    return {"title": _("Import your vacancies")}


def _back(what: str) -> str:
    return url_for("providers.detail", provider_id=current_user.organisation_id)


@bp.route(f"/{WHAT}", methods=["GET", "POST"])
@allow(Role.INTAKER)
def offers_upload(what: str):
    _own_provider()
    kind = KINDS[what]
    return _upload_step(kind, offers.FIELDS[kind],
                        lambda token: url_for("imports.offers_columns", what=what, token=token),
                        lambda token: url_for("imports.offers_preview", what=what, token=token),
                        "imports/offers_upload.html", what=what, back_url=_back(what),
                        **_titles(what))


@bp.route(f"/{WHAT}/<token>/kolommen", methods=["GET", "POST"])
@allow(Role.INTAKER)
def offers_columns(what: str, token: str):
    _own_provider()
    kind = KINDS[what]
    return _columns_step(kind, offers.FIELDS[kind], _upload(token, kind),
                         lambda t: url_for("imports.offers_preview", what=what, token=t),
                         url_for("imports.offers_upload", what=what))


@bp.route(f"/{WHAT}/<token>")
@allow(Role.INTAKER)
def offers_preview(what: str, token: str):
    """Every row with its problems: the services run in savepoints, then all is rolled
    back; nothing is written."""
    _own_provider()
    kind = KINDS[what]
    upload = _upload(token, kind)
    if upload.confirmed_at is not None:
        return render_template("imports/offers_done.html", upload=upload, what=what,
                               back_url=_back(what), **_titles(what))
    table = _table(upload)
    if table is None:
        flash(_("This file can no longer be read. Upload it again."), "error")
        return redirect(url_for("imports.offers_upload", what=what))
    found = _found(table, kind, offers.FIELDS[kind])
    if found is None:
        return redirect(url_for("imports.offers_columns", what=what, token=token))
    report = offers.import_rows(kind, current_user.organisation, table, found)
    db.session.rollback()  # the preview writes nothing
    labels = {spec.name: str(spec.label) for spec in offers.FIELDS[kind]}
    return render_template("imports/offers_preview.html", upload=upload, report=report,
                           form=ConfirmForm(), what=what, labels=labels,
                           fields=offers.FIELDS[kind], back_url=_back(what), **_titles(what))


@bp.route(f"/{WHAT}/<token>/bevestigen", methods=["POST"])
@allow(Role.INTAKER)
def offers_confirm(what: str, token: str):
    _own_provider()
    kind = KINDS[what]
    upload = _upload(token, kind)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Check the preview and confirm again."), "error")
        return redirect(url_for("imports.offers_preview", what=what, token=token))
    table = _table(upload)
    found = _found(table, kind, offers.FIELDS[kind]) if table is not None else None
    if upload.confirmed_at is None and found is None:
        return redirect(url_for("imports.offers_preview", what=what, token=token))
    try:
        services.claim(upload)
        report = offers.import_rows(kind, current_user.organisation, table, found)
        services.finish(upload, report.valid)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(url_for("imports.offers_preview", what=what, token=token))
    db.session.commit()
    flash(ngettext("%(num)d row has been imported.", "%(num)d rows have been imported.",
                   report.valid), "success")
    return redirect(_back(what))


@bp.route(f"/{WHAT}/sjabloon.<any(csv, xlsx):fmt>")
@allow(Role.INTAKER)
def offers_template(what: str, fmt: str):
    _own_provider()
    kind = KINDS[what]
    stem = _("offer-import-template") if what == "aanbod" else _("vacancies-import-template")
    return _template_file(offers.FIELDS[kind], fmt, stem, _titles(what)["title"])
