"""flask meetings remind: tell owners and recorders of overdue commitments.

Run it once a day from a timer: each commitment is reminded once per due date, so running it
more often changes nothing; moving the due date earns a new reminder when that date passes.
"""
import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.group("meetings")
def meetings_group():
    """Meetings: commitments and their reminders."""


@meetings_group.command("remind")
@with_appcontext
def remind():
    from flask import current_app

    from portal.meetings.services import remind_overdue

    # links in notifications are built with url_for, which wants a request
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        count = remind_overdue()
    db.session.commit()
    click.echo(f"commitments reminded: {count}")


commands = (meetings_group,)
