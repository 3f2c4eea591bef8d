"""Run as a separate process by test_faults.py: fail to sign in N times, print the statuses.

A separate process is what a second gunicorn worker is; the limiter is process-wide, so the
tests cannot fake this inside the test process.
"""
import json
import sys

from portal import create_app


def main(storage, database_url, email, attempts):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "RATELIMIT_STORAGE_URI": storage,
                      "RATELIMIT_LOGIN_ACCOUNT": "3 per minute"})
    client = app.test_client()
    statuses = [client.post("/login", data={"email": email, "password": "wrong-1234567"})
                .status_code for _ in range(attempts)]
    statuses.append(client.get("/login").status_code)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
