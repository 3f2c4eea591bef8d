"""More faults on 127.0.0.1: the database connection dies between a write and its commit, and
Redis is down while a load balancer asks whether the portal is ready."""
import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import Organisation
from portal.core.sessions import stamp
from portal.extensions import db as _db
from tests.conftest import give_the_limiter_back
from tests.factories import make_user
from tests.ops.test_faults import FlakyProxy, _postgres_url


def test_a_connection_lost_before_the_commit_leaves_nothing_half_written(db, login):
    url = _postgres_url()
    admin = make_user("administrator")
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port)
                      .render_as_string(hide_password=False)})
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        stamp(session)
    armed = []

    def cut_before_commit(session):
        bind = session.get_bind()
        if armed and bind.url.port == proxy.port:
            armed.clear()
            proxy.cut()  # the INSERT has reached the server; the COMMIT never will

    sa.event.listen(sa.orm.Session, "before_commit", cut_before_commit)
    form = {"code": "OUTAGE-1", "name": "Written during the outage", "kind": "national_union",
            "country": "IR", "currency": "IRR"}

    def stored():
        db.session.expire_all()
        return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(
            Organisation.code == "OUTAGE-1"))

    try:
        armed.append(True)
        down = client.post("/organisations/new", data=form)
        assert down.status_code == 503 and "Nothing was saved" in down.text
        assert "Traceback" not in down.text and "INSERT" not in down.text
        assert stored() == 0
        proxy.restore()
        assert client.get("/readyz").status_code == 200
        assert client.post("/organisations/new", data=form).status_code == 302
        assert stored() == 1
    finally:
        sa.event.remove(sa.orm.Session, "before_commit", cut_before_commit)
        proxy.close()
        with app.app_context():
            _db.engine.dispose()


def test_with_redis_down_readyz_says_so_and_pages_still_serve(app, db):
    down = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6399/0"})  # nothing there
    try:
        client = down.test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["checks"] == {"database": "ok", "redis": "unavailable"}
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200
        failed = client.post("/login", data={"email": "x@portal.test", "password": "wrong-1"})
        assert failed.status_code == 401
    finally:
        with down.app_context():
            _db.engine.dispose()
        give_the_limiter_back(app)



def test_a_restart_between_requests_costs_no_request(db):
    """PostgreSQL restarts while nobody is asking: every pooled connection is dead, yet the
    next request is served (pool pre-ping replaces the dead connection first)."""
    url = _postgres_url()
    user = make_user("union_director")
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port)
                      .render_as_string(hide_password=False)})
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        stamp(session)
    try:
        assert client.get("/organisations/").status_code == 200  # a connection in the pool
        proxy.cut()
        proxy.restore()  # back up before anyone noticed
        assert client.get("/organisations/").status_code == 200
    finally:
        proxy.close()
        with app.app_context():
            _db.engine.dispose()
