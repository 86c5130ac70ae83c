"""Trajectory: Social Return trajectories the Oosterschelde way.

``create_app`` wires configuration, extensions, the access mechanism and the
feature blueprints. There is no global app object.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from trajectory.config import load_config
from trajectory.extensions import babel, csrf, db, limiter, login_manager, migrate

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides the environment (tests). SQLite's
    pragmas (foreign keys, WAL, busy timeout) are set per connection in extensions.py."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    if config:
        app.testing = bool(config.get("TESTING", False))
        app.debug = bool(config.get("DEBUG", app.debug))
    load_config(app, config)

    from trajectory.logs import configure_logging

    configure_logging(app)
    from trajectory import querycount

    querycount.init_app(app)  # before the other hooks: it counts their queries too
    from trajectory import assets, metrics

    metrics.init_app(app)  # its timer starts before the access check may answer
    assets.init_app(app)  # hashed, compressed static files (WhiteNoise), /favicon.ico
    _register_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=app.config["PROXY_FIX_X_PROTO"])
    return app


def _register_extensions(app: Flask) -> None:
    from trajectory import security
    from trajectory.audit.trail import install_listeners
    from trajectory.i18n import init_i18n, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    limiter.init_app(app)
    install_listeners()
    init_i18n(app)
    security.init_security(app)


# Feature packages, each with a ``views.bp`` blueprint and, when it wires itself
# into other features, an ``init_app(app)`` called here. A feature's ``panels``
# (home page) and ``demo`` (demo data) modules, when present, register
# themselves on import.
FEATURES = (
    "trajectory.main",
    "trajectory.auth",
    "trajectory.admin",
    "trajectory.valuation",
    "trajectory.candidates",
    "trajectory.contacts", "trajectory.cohorts",
    "trajectory.providers",
    "trajectory.stages",
    "trajectory.labour",
    "trajectory.retention",
    "trajectory.api",  # the public API at /api/v1 (docs/api.md); its init_app: no CSRF, tokens
    "trajectory.notify",  # e-mail (docs/notifications.md); its init_app: settings, notify CLI
    "trajectory.imports",  # candidates from a spreadsheet (docs/import.md); init_app: the CLI
)


def _register_blueprints(app: Flask) -> None:
    import importlib
    import importlib.util

    from trajectory.auth.access import enforce_access
    from trajectory.inputs import init_inputs
    from trajectory.main.errors import init_errors
    from trajectory.ui import init_ui

    init_inputs(app)  # before the rules: the bounded <int:...> converter, request cleaning
    init_ui(app)
    for feature in FEATURES:
        app.register_blueprint(importlib.import_module(f"{feature}.views").bp)
        init_feature = getattr(importlib.import_module(feature), "init_app", None)
        if init_feature is not None:
            init_feature(app)
        for extra in ("panels", "demo"):
            if importlib.util.find_spec(f"{feature}.{extra}") is not None:
                importlib.import_module(f"{feature}.{extra}")
    importlib.import_module("trajectory.auth.oidc").init_app(app)  # single sign-on, docs/sso.md
    # Runs after the idle-timeout check registered by init_security.
    app.before_request(enforce_access)
    init_errors(app)
    # Last registered, so it runs first after the view: the processing log of what the
    # response shows (trajectory/audit/rendering.py), before headers and the access log.
    from trajectory.audit.rendering import init_processing_log

    init_processing_log(app)


def _register_cli(app: Flask) -> None:
    from trajectory.backup import backup_command, restore_command
    from trajectory.cli import user_cli
    from trajectory.demo.cli import demo_command
    from trajectory.retention.cli import retention_cli
    from trajectory.valuation.cli import sroi_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(sroi_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
