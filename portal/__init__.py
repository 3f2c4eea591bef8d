"""The Cooperative Bank Portal: where a cooperative development bank and the organisations it
serves listen to each other."""
from pathlib import Path

from flask import Flask


def create_app(config=None):
    """Build the application. config: a dict of settings that override the environment."""
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"),
                instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from portal.config import Config

    app.config.from_object(Config(app.instance_path))
    if config:
        app.config.update(config)
    _tune_postgresql(app)
    _init_extensions(app)
    from portal.core.handlers import guard_input

    guard_input(app)  # before the blueprints: their routes take the bounded <int:> converter
    _register_blueprints(app)
    _register_hooks(app)
    from portal import cli

    cli.init_app(app)
    return app


def _tune_postgresql(app):
    """Switch off PostgreSQL's JIT for the portal's short queries.

    The planner cannot estimate the recursive organisation-tree CTEs and guesses costs in the
    hundreds of thousands, which triggers JIT compilation: 40 ms spent compiling a query that
    runs in 0.1 ms.
    """
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", "-c jit=off")
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app):
    from portal import i18n
    from portal.core import forms
    from portal.extensions import compress, csrf, db, limiter, login_manager, migrate
    from portal.i18n import fields

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    fields.init_app(app)
    forms.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    from portal.accounts.services import load_session_user

    login_manager.user_loader(load_session_user)
    if app.config.get("PROXY_COUNT"):
        # Trust X-Forwarded-* only from the configured number of proxies, so a client
        # cannot spoof its address past the rate limits.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


# The feature areas, in the order their blueprints, home panels and demo data load. An area's
# views module exposes `blueprints`. Products and branches come before feedback: demo requests
# link to demo products.
AREAS = ("home", "accounts", "products", "branches", "feedback", "meetings", "turnover",
         "indicators", "results", "field")


def area_modules(name):
    """Import portal.<area>.<name> for every area that has one (not every area has CLI
    commands or demo data)."""
    import importlib
    import importlib.util

    modules = []
    for area in AREAS:
        if importlib.util.find_spec(f"portal.{area}.{name}") is not None:
            modules.append(importlib.import_module(f"portal.{area}.{name}"))
    return modules


def _register_blueprints(app):
    for module in area_modules("views"):
        for blueprint in getattr(module, "blueprints", ()):
            app.register_blueprint(blueprint)


def template_helpers():
    """The permission functions templates call by name: the shared scopes, and the
    TEMPLATE_HELPERS of every area's permissions and rules modules. Templates keep calling
    can_edit_meeting(...) without knowing which area owns it; a name claimed twice is a bug."""
    from portal import permissions

    helpers = dict(permissions.TEMPLATE_HELPERS)
    for module in area_modules("permissions") + area_modules("rules"):
        for name, function in getattr(module, "TEMPLATE_HELPERS", {}).items():
            if helpers.get(name, function) is not function:
                raise RuntimeError(f"template helper {name} is defined twice")
            helpers[name] = function
    return helpers


def _register_hooks(app):
    from portal.core import logs, security, sessions, static
    from portal.core.handlers import register_error_handlers

    register_error_handlers(app)
    logs.init_app(app)
    static.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    app.jinja_env.globals.update(template_helpers())
    app.jinja_env.globals["asset_url"] = _asset_url_factory(app)
    from portal.core.models import utcnow

    app.jinja_env.globals["now_utc"] = utcnow
    app.jinja_env.globals["unread_notifications"] = _unread_notifications
    from portal.home.panels import nav_items_for

    app.jinja_env.globals["nav_items_for"] = nav_items_for
    from portal.core import pool, unit_of_work, versions

    pool.init_app(app)
    versions.init_app(app)  # kept pages (core/kept_pages.py) live in the same Redis
    unit_of_work.init_app(app)  # last: its after_request runs first (see the module)


def _unread_notifications():
    from flask_login import current_user

    from portal.core.notify import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def _asset_url_factory(app):
    """url_for('static') with a content hash, so static files can be cached for a year."""
    import hashlib

    from flask import url_for

    cache = {}

    def asset_url(filename):
        if filename not in cache or app.debug:
            path = Path(app.static_folder) / filename
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            cache[filename] = digest
        return url_for("static", filename=filename, v=cache[filename])

    return asset_url
