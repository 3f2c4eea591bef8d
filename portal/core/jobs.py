"""Jobs run by timers (`flask feedback escalate`, `flask meetings remind`, ...): each is one
unit of work, committed once at its end, like a request."""
import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db


def run_job(job):
    """Run job() and commit what it did; return what it returned.

    Notices carry links built with url_for, which wants a request: the job runs inside one
    addressed to the portal's public URL."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        result = job()
    db.session.commit()
    return result


def job_commands(group, help_text, *jobs):
    """The `flask <group>` commands that timers run: each of jobs is (command name, job, what
    its count means), and its command runs the job as one unit of work (run_job) and prints
    "<what its count means>: <count>" for the timer's log."""
    commands = click.Group(group, help=help_text)
    for name, job, counted in jobs:
        def command(job=job, counted=counted):
            click.echo(f"{counted}: {run_job(job)}")
        commands.command(name, help=job.__doc__)(with_appcontext(command))
    return commands
