"""The candidate import for a klantmanager (/import/kandidaten): upload, map the columns
once, preview every row with its problems, confirm. Nothing is written before the
confirmation; then every good row in one transaction (docs/import.md).

The file is kept on the server between the steps (``ImportUpload``, by a random token of
the uploading user): the session cookie holds no personal data, and another user's token
answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from trajectory import exports as kit
from trajectory.auth.access import allow, require
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.imports import fields as F
from trajectory.imports import services
from trajectory.imports.forms import ConfirmForm, UploadForm, mapping_form
from trajectory.imports.models import ImportUpload
from trajectory.imports.parsing import Table, UnreadableFile, read_table
from trajectory.imports.validation import check_candidates, klantmanagers_of
from trajectory.services import ServiceError

bp = Blueprint("imports", __name__, url_prefix="/import")


def _municipality_only() -> None:
    """A klantmanager of a municipality (the role exists only there, but be sure)."""
    require(current_user.organisation.is_municipality)


def _upload(token: str, kind: str = services.CANDIDATES) -> ImportUpload:
    upload = services.upload_of(current_user, token, kind)
    if upload is None:
        abort(404)
    return upload


def _table(upload: ImportUpload) -> Table | None:
    try:
        return read_table(upload.filename, upload.content)
    except UnreadableFile:
        return None


def _found(table: Table, kind: str = services.CANDIDATES,
           fields: tuple[F.ImportField, ...] = F.CANDIDATE_FIELDS) -> dict[str, int] | None:
    """The columns by the saved mapping; None when there is none or it misses a
    required field in this file (then the mapping page)."""
    saved = services.saved_mapping(current_user.organisation, kind)
    if saved is None:
        return None
    found = F.match_columns(table.headers, fields, saved=saved)
    return None if F.missing_required(found, fields) else found


def _upload_step(kind: str, fields: tuple[F.ImportField, ...], columns_url, preview_url,
                 template_name: str, **context):
    """Step 1: the file, kept on the server; on to the columns or the preview."""
    form = UploadForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        content = upload_file.read()
        filename = upload_file.filename or ""
        try:
            table = read_table(filename, content)
            if not table.rows:
                raise UnreadableFile(_("The file has no rows below the header."))
        except UnreadableFile as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            upload = services.keep_upload(current_user, filename, content, kind)
            db.session.commit()
            if _found(table, kind, fields) is None:
                return redirect(columns_url(upload.token))
            return redirect(preview_url(upload.token))
    return render_template(template_name, form=form, fields=fields, **context)


def _columns_step(kind: str, fields: tuple[F.ImportField, ...], upload: ImportUpload,
                  preview_url, back_url: str):
    """Step 2 (once per organisation): which column holds which field."""
    table = _table(upload)
    if upload.confirmed_at is not None or table is None:
        return redirect(preview_url(upload.token))
    saved = services.saved_mapping(current_user.organisation, kind)
    found = F.match_columns(table.headers, fields, saved=saved)
    if not found or F.missing_required(found, fields):
        found = {**F.match_columns(table.headers, fields), **found}
    chosen = {name: table.headers[index] for name, index in found.items()}
    form = mapping_form(fields, table.headers, chosen if request.method == "GET" else None)
    if form.validate_on_submit():
        picked = {spec.name: getattr(form, spec.name).data for spec in fields}
        used: dict[str, str] = {}
        for spec in fields:
            header = picked[spec.name]
            field = getattr(form, spec.name)
            if spec.required and not header:
                field.errors = [*field.errors, _("Choose the column of %(field)s.",
                                                 field=spec.label)]
            elif header and header in used:
                field.errors = [*field.errors, _("This column is already chosen for "
                                                 "%(field)s.", field=used[header])]
            elif header:
                used[header] = str(spec.label)
        if not any(getattr(form, spec.name).errors for spec in fields):
            services.save_mapping(current_user, current_user.organisation, picked, kind)
            db.session.commit()
            flash(_("The columns are saved for %(municipality)s: the next file with these "
                    "columns goes straight to the preview.",
                    municipality=current_user.organisation.name), "success")
            return redirect(preview_url(upload.token))
    return render_template("imports/columns.html", form=form, upload=upload, fields=fields,
                           table=table, back_url=back_url)


def _template_file(fields: tuple[F.ImportField, ...], fmt: str, stem: str, sheet: str):
    columns = [kit.Column(str(spec.label)) for spec in fields]
    name = kit.filename(stem, extension=fmt)
    if fmt == "csv":
        return kit.download(kit.csv_bytes(columns, []), name, kit.CSV)
    return kit.download(kit.workbook([kit.Sheet(sheet, columns, [])]), name, kit.XLSX)


@bp.route("/kandidaten", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def candidates():
    """Step 1: the file."""
    _municipality_only()
    return _upload_step(services.CANDIDATES, F.CANDIDATE_FIELDS,
                        lambda token: url_for("imports.columns", token=token),
                        lambda token: url_for("imports.preview", token=token),
                        "imports/upload.html")


@bp.route("/kandidaten/<token>/kolommen", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def columns(token: str):
    """Step 2 (once per municipality): which column holds which field."""
    _municipality_only()
    return _columns_step(services.CANDIDATES, F.CANDIDATE_FIELDS, _upload(token),
                         lambda t: url_for("imports.preview", token=t),
                         url_for("imports.candidates"))


@bp.route("/kandidaten/<token>")
@allow(Role.KLANTMANAGER)
def preview(token: str):
    """Step 3: every row with its problems; nothing written yet."""
    _municipality_only()
    upload = _upload(token)
    if upload.confirmed_at is not None:
        return render_template("imports/done.html", upload=upload)
    table = _table(upload)
    if table is None:
        flash(_("This file can no longer be read. Upload it again."), "error")
        return redirect(url_for("imports.candidates"))
    found = _found(table)
    if found is None:
        return redirect(url_for("imports.columns", token=token))
    report = check_candidates(current_user, table, found,
                              default_klantmanager=current_user._get_current_object())
    db.session.rollback()  # the check wrote nothing; leave nothing pending either
    form = ConfirmForm(expected=str(report.valid))
    names = {u.id: u.full_name for u in klantmanagers_of(current_user.organisation)}
    return render_template("imports/preview.html", upload=upload, report=report, form=form,
                           labels=_labels(), klantmanager_names=names)


def _labels() -> dict[str | None, str]:
    labels: dict[str | None, str] = {spec.name: str(spec.label) for spec in F.CANDIDATE_FIELDS}
    labels[None] = _("Person")
    return labels


@bp.route("/kandidaten/<token>/bevestigen", methods=["POST"])
@allow(Role.KLANTMANAGER)
def confirm(token: str):
    """Step 4: write every good row in one transaction; a second confirmation writes
    nothing (``services.claim``)."""
    _municipality_only()
    upload = _upload(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Check the preview and confirm again."), "error")
        return redirect(url_for("imports.preview", token=token))
    table = _table(upload)
    found = _found(table) if table is not None else None
    if upload.confirmed_at is None and found is None:
        return redirect(url_for("imports.preview", token=token))
    try:
        services.claim(upload)
        report = check_candidates(current_user, table, found,
                                  default_klantmanager=current_user._get_current_object())
        written = services.write_candidates(report)
        services.finish(upload, len(written))
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(url_for("imports.preview", token=token))
    db.session.commit()
    flash(ngettext("%(num)d candidate has been imported.", "%(num)d candidates have been "
                   "imported.", len(written)), "success")
    return redirect(url_for("candidates.index"))


@bp.route("/kandidaten/sjabloon.<any(csv, xlsx):fmt>")
@allow(Role.KLANTMANAGER)
def template(fmt: str):
    """An empty file with the expected columns (in the user's language: they are found
    by name without a mapping)."""
    _municipality_only()
    return _template_file(F.CANDIDATE_FIELDS, fmt, _("candidates-import-template"),
                          _("Candidates"))


from trajectory.imports import offer_views  # noqa: E402,F401  (routes on ``bp``)
