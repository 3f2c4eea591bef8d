"""Flask extensions, created unbound; create_app() binds them to an app."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint names must be the same on SQLite and PostgreSQL so that migrations written on one
# apply on the other (and batch mode on SQLite can find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# gzip for pages and assets when no proxy in front does it (the first view stays small)
compress = Compress()
# Limits are declared per route; nothing is limited by default. The storage comes from
# RATELIMIT_STORAGE_URI (memory:// unless Redis is configured).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _reads_are_not_counted():
    """Every limit guards a POST (signing in, the API's writes); checking the limits of a page
    view found none and cost about a third of a millisecond, a tenth of a kept page's time.
    A limit on a GET would need this filter to change (tests/ops check the login limits)."""
    from flask import request

    return request.method in ("GET", "HEAD", "OPTIONS")
