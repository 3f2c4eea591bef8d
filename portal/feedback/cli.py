"""flask feedback escalate: raise overdue items a level and tell whoever must know.

Run it from a timer (every hour is plenty): escalation is idempotent, each level is announced
once per item.
"""
import click
from flask.cli import with_appcontext

from portal.core.jobs import run_job
from portal.feedback.escalation import escalate_overdue


@click.group("feedback")
def feedback_group():
    """Feedback deadlines and escalation."""


@feedback_group.command("escalate")
@with_appcontext
def escalate():
    steps = run_job(escalate_overdue)
    click.echo(f"escalation steps taken: {steps}")


commands = (feedback_group,)
