"""flask feedback escalate: raise overdue items a level and tell whoever must know.

Run it from a timer (every hour is plenty): escalation is idempotent, each level is announced
once per item.
"""
import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.group("feedback")
def feedback_group():
    """Feedback deadlines and escalation."""


@feedback_group.command("escalate")
@with_appcontext
def escalate():
    from flask import current_app

    from portal.feedback.escalation import escalate_overdue

    # links in notifications are built with url_for, which wants a request
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        steps = escalate_overdue()
    db.session.commit()
    click.echo(f"escalation steps taken: {steps}")


commands = (feedback_group,)
