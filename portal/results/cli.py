"""flask results escalate: raise overdue results up the owning bank's chain.

Run it from a timer with `flask feedback escalate`: idempotent, each level announced once.
"""
import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.group("results")
def results_group():
    """Results the bank commits to."""


@results_group.command("escalate")
@with_appcontext
def escalate():
    from flask import current_app

    from portal.results.services import escalate_overdue

    # links in notifications are built with url_for, which wants a request
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        steps = escalate_overdue()
    db.session.commit()
    click.echo(f"escalation steps taken: {steps}")


commands = (results_group,)
