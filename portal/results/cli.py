"""flask results escalate: raise overdue results up the owning bank's chain.

Run it from a timer with `flask feedback escalate`: idempotent, each level announced once.
"""
import click
from flask.cli import with_appcontext

from portal.core.jobs import run_job
from portal.results.services import escalate_overdue


@click.group("results")
def results_group():
    """Results the bank commits to."""


@results_group.command("escalate")
@with_appcontext
def escalate():
    steps = run_job(escalate_overdue)
    click.echo(f"escalation steps taken: {steps}")


commands = (results_group,)
