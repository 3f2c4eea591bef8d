"""Jobs run by timers (`flask feedback escalate`, `flask meetings remind`, ...): each is one
unit of work, committed once at its end, like a request."""
from flask import current_app

from portal.extensions import db


def run_job(job):
    """Run job() and commit what it did; return what it returned.

    Notices carry links built with url_for, which wants a request: the job runs inside one
    addressed to the portal's public URL."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        result = job()
    db.session.commit()
    return result
