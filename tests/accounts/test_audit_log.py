"""The audit log, readable: administrators and the ministry browse who did what, when, to
which record, with filters and a CSV export; security events included; a ministry official
sees their own network only and never the values before and after."""
from datetime import datetime

import sqlalchemy as sa

from portal.core.audit import AuditEntry
from tests import factories
from tests.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _rows(page):
    """The table's rows only (the filter's choices name every action too)."""
    return page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _entry(actor, action, when, **fields):
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       object_type=fields.pop("object_type", "User"),
                       object_id=fields.pop("object_id", actor.id if actor else None),
                       created_at=when, **fields)
    factories.db.session.add(entry)
    return entry


def test_an_administrator_finds_failed_sign_ins_and_exports_them(app, client, db):
    admin = factories.make_user("administrator")
    person = factories.make_user("union_director", full_name="مریم احمدی")
    _sign_in(app.test_client(), person.email, "a wrong guess here")
    _sign_in(app.test_client(), person.email)
    _sign_in(client, admin.email)

    page = client.get("/audit/?security=1", headers={"Accept-Language": "fa"})
    assert page.status_code == 200
    assert "مریم احمدی" in page.text
    assert _rows(page).count("<tr>") >= 3  # the failure, the sign-in, the admin's sign-in
    only_failures = client.get("/audit/?action=login_failed")
    assert "Failed sign-in" in _rows(only_failures)
    assert "Signed in<" not in _rows(only_failures)

    export = client.get("/audit/export.csv?who=احمدی")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.data.decode("utf-8-sig")
    assert "login_failed" in text and "login" in text and person.email in text
    assert admin.email not in text  # the filter by who holds in the export too
    assert text.splitlines()[0].endswith("before,after")


def test_a_jalali_date_range_filters_the_log(app, client, db, login):
    admin = login(factories.make_user("administrator", preferred_locale="fa"))
    _entry(admin, "user_updated", datetime(2025, 8, 12, 9, 0), object_id=4711)  # 1404/05/21
    _entry(admin, "membership_added", datetime(2025, 9, 1, 9, 0), object_id=4712)
    db.session.commit()
    page = client.get("/audit/?from=۱۴۰۴/۰۵/۲۰&to=۱۴۰۴/۰۵/۲۲")
    assert "#4711" in _rows(page) and "#4712" not in _rows(page)


def test_the_ministry_reads_its_network_only_and_no_values(app, client, db, login):
    iran_admin = factories.make_user("administrator")
    vietnam_bank = factories.bank("VN")
    vietnam_admin = factories.make_user("administrator", organisation=vietnam_bank,
                                        full_name="Trần Văn Nam")
    _entry(iran_admin, "user_updated", datetime(2026, 1, 5, 8, 0),
           before={"full_name": "secret wording"})
    _entry(vietnam_admin, "user_updated", datetime(2026, 1, 5, 8, 0))
    db.session.commit()
    login(factories.make_user("ministry_official"))
    page = client.get("/audit/")
    assert page.status_code == 200
    assert iran_admin.full_name in page.text
    assert "Trần Văn Nam" not in page.text
    assert "secret wording" not in page.text
    export = client.get("/audit/export.csv").data.decode("utf-8-sig")
    assert "secret wording" not in export and "before" not in export.splitlines()[0]
    assert vietnam_admin.email not in export


def test_people_who_are_not_administrators_or_the_ministry_are_refused(client, db, login_as):
    login_as("relationship_manager")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_token_issue_and_second_factor_changes_are_in_the_log(app, client, db):
    admin = factories.make_user("administrator")
    person = factories.make_user("union_director", totp_secret="JBSWY3DPEHPK3PXP",
                                 two_factor_since=datetime(2026, 1, 1))
    _sign_in(client, admin.email)
    client.post(f"/admin/users/{person.id}/two-factor/reset")
    page = client.get("/audit/?security=1")
    assert "Second factor removed by an administrator" in page.text
    assert db.session.scalar(sa.select(AuditEntry.actor_id).where(
        AuditEntry.action == "two_factor_reset")) == admin.id


def test_the_export_names_every_person_in_one_statement(app, client, db, login):
    import csv
    import io

    from tests.statements import page_statements

    login(factories.make_user("administrator"))
    people = [factories.make_user("union_director", full_name=f"Nguyễn Thị {n}")
              for n in range(4)]
    for n, person in enumerate(people):
        _entry(person, "user_updated", datetime(2026, 1, 5, 8, n),
               before={"full_name": f"old {n}"}, after={"full_name": person.full_name})
    _entry(None, "login_failed", datetime(2026, 1, 5, 9, 0), object_type="User")
    db.session.commit()
    named = [(p.full_name, p.email) for p in people]
    export, statements = page_statements(client, "/audit/export.csv?action=user_updated")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["before", "after"]
    assert [(r[1], r[2]) for r in rows[1:]] == named[::-1]  # newest first
    assert rows[1][-2:] == ['{"full_name": "old 3"}', '{"full_name": "Nguyễn Thị 3"}']
    # the entries with their people in one statement, whatever their number
    assert len([s for s in statements if "audit_entry" in s]) == 1, statements
    everyone = list(csv.reader(io.StringIO(client.get("/audit/export.csv").data
                                           .decode("utf-8-sig"))))
    assert everyone[1][1:4] == ["", "", "login_failed"]  # nobody's: no name, no address
