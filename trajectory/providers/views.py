"""Provider pages: the list, one provider's profile, offer and vacancies, the regional overview.

Reading is for every role that works with candidates or the overlegtafel
(``READER_ROLES``); changing is for the provider's own intaker only: another
provider's intaker gets 403 (the provider is visible to them, changing it is
not theirs), a role without the intaker role gets 403 from its declaration.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory import confirm
from trajectory.auth.access import allow, get_in_scope, require
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _apply_service_error
from trajectory.organisations.models import Organisation
from trajectory.providers import services
from trajectory.providers.forms import (
    ConfirmForm,
    OfferFilterForm,
    OfferItemForm,
    PracticeForm,
    ProfileForm,
    VacancyFilterForm,
    VacancyForm,
    level_value,
)
from trajectory.providers.models import (
    READER_ROLES,
    OfferItem,
    OfferType,
    ProviderProfile,
    Vacancy,
    VacancyStatus,
    can_edit_provider,
    provider_filter,
)
from trajectory.providers.paging import paginate_rows
from trajectory.services import ServiceError
from trajectory.ui import apply_sort, register_nav

bp = Blueprint("providers", __name__, url_prefix="/aanbieders")

READERS = tuple(sorted(READER_ROLES))

register_nav("providers.offer", _l("Offer"), set(READER_ROLES), order=40)


def get_provider(provider_id: int) -> Organisation:
    """A provider of the region, or 404 (also for an id of a municipality)."""
    provider = db.session.scalar(
        sa.select(Organisation).where(Organisation.id == provider_id, provider_filter()))
    if provider is None:
        abort(404)
    return provider


def _require_editor(provider_id: int) -> None:
    require(can_edit_provider(current_user, provider_id))


def _provider_choices(empty) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(provider_filter(), Organisation.active.is_(True)).order_by(Organisation.name)
    ).all()
    return [SelectChoice("", empty), *[SelectChoice(str(i), name) for i, name in rows]]


def _int_arg(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# ------------------------------------------------------------------ lists

@bp.route("")
@allow(*READERS)
def index():
    """Every provider with its contact person, share and offer in numbers (one query)."""
    usage = services.usage_subquery()
    used_col = sa.func.coalesce(usage.c.used, 0) if usage is not None else sa.literal(0)
    offer_sq = sa.select(
        OfferItem.organisation_id.label("org_id"),
        sa.func.count(OfferItem.id).label("n_items"),
        sa.cast(sa.func.sum(OfferItem.capacity - used_col), sa.Integer).label("free"),
    )
    if usage is not None:
        offer_sq = offer_sq.outerjoin(usage, usage.c.offer_item_id == OfferItem.id)
    offer_sq = offer_sq.group_by(OfferItem.organisation_id).subquery("offer_counts")
    vac_sq = (sa.select(Vacancy.organisation_id.label("org_id"),
                        sa.func.count(Vacancy.id).label("open"))
              .where(Vacancy.status == VacancyStatus.OPEN)
              .group_by(Vacancy.organisation_id).subquery("vacancy_counts"))
    stmt = (sa.select(Organisation, ProviderProfile,
                      sa.func.coalesce(offer_sq.c.n_items, 0).label("n_items"),
                      sa.func.coalesce(offer_sq.c.free, 0).label("free"),
                      sa.func.coalesce(vac_sq.c.open, 0).label("open_vacancies"))
            .outerjoin(ProviderProfile, ProviderProfile.organisation_id == Organisation.id)
            .outerjoin(offer_sq, offer_sq.c.org_id == Organisation.id)
            .outerjoin(vac_sq, vac_sq.c.org_id == Organisation.id)
            .where(provider_filter(), Organisation.active.is_(True)))
    stmt = apply_sort(stmt, {"name": Organisation.name, "share": ProviderProfile.contract_share,
                             "free": sa.literal_column("free")}, "name")
    rows = db.session.execute(stmt).all()
    return render_template("providers/index.html", rows=rows)


@bp.route("/aanbod")
@allow(*READERS)
def offer():
    """The regional overview: who offers what, with free places; search and filter."""
    filters = OfferFilterForm(request.args)
    filters.provider.choices = _provider_choices(_("All providers"))
    offer_type = (OfferType(filters.offer_type.data)
                  if filters.offer_type.data in {t.value for t in OfferType} else None)
    stmt = services.offer_overview_stmt(
        q=(filters.q.data or "").strip() or None, offer_type=offer_type,
        provider_id=_int_arg(filters.provider.data), free_only=bool(filters.free_only.data))
    stmt = apply_sort(stmt, {"provider": Organisation.name, "type": OfferItem.offer_type,
                             "title": OfferItem.title, "free": sa.literal_column("free"),
                             "from": OfferItem.available_from}, "type")
    stmt = stmt.order_by(Organisation.name, OfferItem.title, OfferItem.id)
    page = paginate_rows(stmt)
    return render_template("providers/offer.html", page=page, filters=filters)


@bp.route("/vacatures")
@allow(*READERS)
def vacancies():
    filters = VacancyFilterForm(request.args)
    filters.provider.choices = _provider_choices(_("All providers"))
    status = (VacancyStatus(filters.status.data)
              if filters.status.data in {s.value for s in VacancyStatus} else None)
    stmt = services.vacancies_stmt(q=(filters.q.data or "").strip() or None, status=status,
                                   provider_id=_int_arg(filters.provider.data))
    stmt = apply_sort(stmt, {"provider": Organisation.name, "title": Vacancy.title,
                             "from": Vacancy.available_from, "status": Vacancy.status},
                      "from").order_by(Vacancy.id)
    return render_template("providers/vacancies.html", page=paginate_rows(stmt), filters=filters)


@bp.route("/eigen")
@allow(Role.INTAKER, Role.BUDDY)
def own():
    """The provider of the logged-in intaker or buddy."""
    if not current_user.organisation.is_provider:
        abort(404)
    return redirect(url_for("providers.detail", provider_id=current_user.organisation_id))


# ------------------------------------------------------------------ one provider

@bp.route("/<int:provider_id>")
@allow(*READERS)
def detail(provider_id: int):
    provider = get_provider(provider_id)
    vacancies = db.session.execute(
        services.vacancies_stmt(provider_id=provider.id)
        .order_by(Vacancy.status, Vacancy.available_from, Vacancy.id)).all()
    return render_template(
        "providers/detail.html", provider=provider, profile=services.profile_for(provider),
        items=services.offer_items_of(provider), vacancies=vacancies,
        can_edit=can_edit_provider(current_user, provider.id), confirm=ConfirmForm())


@bp.route("/<int:provider_id>/profiel", methods=["GET", "POST"])
@allow(Role.INTAKER)
def edit_profile(provider_id: int):
    provider = get_provider(provider_id)
    _require_editor(provider.id)
    form = ProfileForm(obj=services.profile_for(provider))
    if form.validate_on_submit():
        try:
            services.save_profile(
                provider, contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data, contact_email=form.contact_email.data,
                contract_share=form.contract_share.data, description=form.description.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The profile of %(name)s has been saved.", name=provider.name), "success")
            return redirect(url_for("providers.detail", provider_id=provider.id))
    return render_template("providers/profile_form.html", form=form, provider=provider)


@bp.route("/<int:provider_id>/huidige-inzet", methods=["GET", "POST"])
@allow(Role.INTAKER)
def edit_practice(provider_id: int):
    provider = get_provider(provider_id)
    _require_editor(provider.id)
    form = PracticeForm(obj=services.profile_for(provider))
    if form.validate_on_submit():
        services.save_practice(
            provider, employed_from_benefit=form.employed_from_benefit.data,
            experience_places=form.experience_places.data,
            support_given=form.support_given.data, results=form.results.data,
            other_obligation_contracts=form.other_obligation_contracts.data)
        db.session.commit()
        flash(_("What %(name)s already does for Social Return has been saved.",
                name=provider.name), "success")
        return redirect(url_for("providers.detail", provider_id=provider.id))
    return render_template("providers/practice_form.html", form=form, provider=provider)


@bp.route("/<int:provider_id>/aanbod/nieuw", methods=["GET", "POST"])
@allow(Role.INTAKER)
def new_offer(provider_id: int):
    provider = get_provider(provider_id)
    _require_editor(provider.id)
    form = OfferItemForm()
    if request.method == "GET":
        form.offer_type.data = request.args.get("soort") or OfferType.WERKERVARINGSPLAATS.value
    if form.validate_on_submit():
        try:
            services.create_offer_item(provider, **form.values())
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The offer has been added."), "success")
            return redirect(url_for("providers.detail", provider_id=provider.id) + "#aanbod")
    return render_template("providers/offer_form.html", form=form, provider=provider, item=None)


@bp.route("/aanbod/<int:item_id>/bewerken", methods=["GET", "POST"])
@allow(Role.INTAKER)
def edit_offer(item_id: int):
    item = get_in_scope(OfferItem, item_id)
    _require_editor(item.organisation_id)
    form = OfferItemForm(obj=item)
    if request.method == "GET":
        form.offer_type.data = item.offer_type.value
        form.level.data = str(item.level) if item.level else ""
    if form.validate_on_submit():
        try:
            services.update_offer_item(item, **form.values())
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The offer has been saved."), "success")
            return redirect(url_for("providers.detail", provider_id=item.organisation_id)
                            + "#aanbod")
    return render_template("providers/offer_form.html", form=form, provider=item.organisation,
                           item=item, confirm=ConfirmForm())


@bp.route("/aanbod/<int:item_id>/verwijderen", methods=["POST"])
@allow(Role.INTAKER)
def delete_offer(item_id: int):
    item = get_in_scope(OfferItem, item_id)
    _require_editor(item.organisation_id)
    provider_id = item.organisation_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title, provider = item.title, item.organisation.name
    try:
        services.delete_offer_item(item)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("providers.edit_offer", item_id=item_id))
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Remove the offer?"),
            message=_("“%(offer)s” will be removed from the offer of %(provider)s.",
                      offer=title, provider=provider),
            confirm_label=_("Yes, remove"),
            back=url_for("providers.edit_offer", item_id=item_id))
    db.session.commit()
    flash(_("The offer has been removed."), "success")
    return redirect(url_for("providers.detail", provider_id=provider_id) + "#aanbod")


def _vacancy_values(form: VacancyForm) -> dict:
    return {"title": form.title.data, "level": level_value(form.level),
            "hours_per_week": form.hours_per_week.data,
            "available_from": form.available_from.data,
            "status": VacancyStatus(form.status.data), "notes": form.notes.data}


@bp.route("/<int:provider_id>/vacatures/nieuw", methods=["GET", "POST"])
@allow(Role.INTAKER)
def new_vacancy(provider_id: int):
    provider = get_provider(provider_id)
    _require_editor(provider.id)
    form = VacancyForm()
    if request.method == "GET":
        form.status.data = VacancyStatus.OPEN.value
    if form.validate_on_submit():
        try:
            services.create_vacancy(provider, **_vacancy_values(form))
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The vacancy has been added."), "success")
            return redirect(url_for("providers.detail", provider_id=provider.id) + "#vacatures")
    return render_template("providers/vacancy_form.html", form=form, provider=provider,
                           vacancy=None)


@bp.route("/vacatures/<int:vacancy_id>/bewerken", methods=["GET", "POST"])
@allow(Role.INTAKER)
def edit_vacancy(vacancy_id: int):
    vacancy = get_in_scope(Vacancy, vacancy_id)
    _require_editor(vacancy.organisation_id)
    form = VacancyForm(obj=vacancy)
    if request.method == "GET":
        form.status.data = vacancy.status.value
        form.level.data = str(vacancy.level) if vacancy.level else ""
    if form.validate_on_submit():
        try:
            services.update_vacancy(vacancy, **_vacancy_values(form))
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The vacancy has been saved."), "success")
            return redirect(url_for("providers.detail", provider_id=vacancy.organisation_id)
                            + "#vacatures")
    return render_template("providers/vacancy_form.html", form=form,
                           provider=vacancy.organisation, vacancy=vacancy)
