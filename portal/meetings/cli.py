"""flask meetings remind: tell owners and recorders of overdue commitments.

Run it once a day from a timer: each commitment is reminded once per due date, so running it
more often changes nothing; moving the due date earns a new reminder when that date passes.
"""
import click
from flask.cli import with_appcontext

from portal.core.jobs import run_job
from portal.meetings.services import remind_overdue


@click.group("meetings")
def meetings_group():
    """Meetings: commitments and their reminders."""


@meetings_group.command("remind")
@with_appcontext
def remind():
    count = run_job(remind_overdue)
    click.echo(f"commitments reminded: {count}")


commands = (meetings_group,)
