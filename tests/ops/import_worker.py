"""Run as a separate process by test_faults.py: an import that is killed before it commits.

It imports a file, flushes every row into the open transaction, says so on stdout, then waits
to be killed, as a web worker would be by an OOM killer or a deploy in the middle of a request.
"""
import sys
import time

import sqlalchemy as sa

from portal import create_app
from portal.accounts import importing
from portal.accounts.models import Role, User
from portal.extensions import db


def main(database_url, path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context(), app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.memberships.any(
            role=Role.ADMINISTRATOR)))
        with open(path, "rb") as fh:
            importing.import_organisations(admin, "organisations.csv", fh.read())
        db.session.flush()
        print("FLUSHED", flush=True)
        time.sleep(120)  # killed long before this ends
        db.session.commit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
