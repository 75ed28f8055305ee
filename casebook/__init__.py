"""casebook: a case database of advanced municipal practices, searchable by population size."""
from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, db, search
from .config import ROOT, ConfigError

log = logging.getLogger(__name__)


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply settings: defaults → instance/config.py → CASEBOOK_* environment → test mapping."""
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_from_instance(app.instance_path)
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise ConfigError(
                "CASEBOOK_SECRET_KEY is not set. Set it in the environment (or run `make run`, "
                "which writes a random one to instance/secret_key).")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("no secret key configured: using a random one for this process")
    if not (app.debug or app.testing):
        config.check_secret(app.config["SECRET_KEY"])
    config.band_boundaries(app.config["POPULATION_BANDS"])  # fail early on a bad setting


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, search index, views, errors and commands."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(ROOT / "templates"))
    load_config(app, test_config)
    hops = config.trusted_proxies(app.config["TRUSTED_PROXIES"])
    if hops:
        # The client's address and scheme as the trusted proxies saw them; without this,
        # X-Forwarded-* headers are ignored (anyone can send them).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from . import auth, blueprints, cli, errors, logs, web

    # Importing a view module adds its routes to its blueprint; api_write and curate_bulk add
    # theirs to the blueprints they share with api and curate (casebook/blueprints.py).
    from .views import (  # noqa: F401
        alerts,
        api,
        api_write,
        curate,
        curate_bulk,
        curate_inquiries,
        curate_thesaurus,
        exports,
        feeds,
        health,
        inquiries,
        public,
        sheets,
        tokens,
    )
    from .views import auth as auth_views

    logs.init_app(app)
    db.init_app(app)
    search.init_app(app)
    web.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in (public.bp, exports.bp, feeds.bp, blueprints.api, sheets.bp, auth_views.bp, blueprints.curate,
                      tokens.bp, health.bp, inquiries.bp, alerts.bp):
        app.register_blueprint(blueprint)
    return app
