"""Command-line operations: flask create-admin, seed-demo, outbox deliver, outbox digests."""
import secrets
import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.extensions import db


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "full_name", default="Administrator")
@click.option("--password", default=None, help="Generated and printed when not given.")
@with_appcontext
def create_admin(email, full_name, password):
    """Create the first administrator (or reset that administrator's password)."""
    from portal.accounts.services import ensure_administrator

    password = password or secrets.token_urlsafe(12)
    user = ensure_administrator(email, full_name, password)
    db.session.commit()
    click.echo(f"Administrator: {user.email}  password: {password}")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo data from the real figures in domain.md. Running it twice changes nothing."""
    from portal.demo import seed

    credentials = seed()
    db.session.commit()
    click.echo("Demo data is loaded. Sign in with any of these accounts:")
    for role, email, password in credentials:
        click.echo(f"  {role:<22} {email:<40} {password}")


@click.group("outbox")
def outbox_group():
    """The mail outbox."""


@outbox_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (the worker).")
@click.option("--interval", default=5.0, help="Seconds between passes with --loop.")
@click.option("--max-passes", default=0, help="Stop after this many passes (0: no limit).")
@with_appcontext
def outbox_deliver(loop, interval, max_passes):
    """Send due messages over SMTP, with retries and backoff."""
    from portal.core import outbox

    passes = 0
    while True:
        sent, failed = outbox.deliver()
        passes += 1
        if sent or failed or not loop:
            click.echo(f"sent {sent}, failed {failed}")
        if not loop or (max_passes and passes >= max_passes):
            break
        if not sent:
            time.sleep(interval)


@outbox_group.command("digests")
@with_appcontext
def outbox_digests():
    """Build the daily and weekly digests that are due (run it every few minutes: each person
    gets theirs at their own local morning, once)."""
    from flask import current_app

    from portal.accounts.digests import send_digests

    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        built = send_digests()
        db.session.commit()
    click.echo(f"digests {built}")


@click.command("wait-for-db")
@click.option("--seconds", default=30)
@with_appcontext
def wait_for_db(seconds):
    """Wait until the database answers (for start-up scripts)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            db.session.execute(sa.text("SELECT 1"))
            return
        except sa.exc.OperationalError:
            db.session.rollback()
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def init_app(app):
    from portal import area_modules

    for command in (create_admin, seed_demo, outbox_group, wait_for_db):
        app.cli.add_command(command)
    # each area may add its own commands in portal/<area>/cli.py as `commands`
    for module in area_modules("cli"):
        for command in module.commands:
            app.cli.add_command(command)
