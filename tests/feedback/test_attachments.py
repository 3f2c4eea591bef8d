"""Attachments: type- and size-checked, stored outside the web root, served only to readers."""
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.feedback.models import Attachment, FeedbackItem
from tests.factories import multipart
from tests.feedback import helpers


def _post(client, union, filename, content, **extra):
    fields = {"organisation_id": union.id, "title": "With a file", "concerns": "branch",
              "body": "See the attached minutes.", "topic": "speed", "visibility": "public"}
    fields.update(extra)
    body, content_type = multipart(fields, {"attachments": (filename, content)})
    return client.post("/feedback/new/critique", data=body, content_type=content_type)


def test_a_pdf_is_stored_and_served_to_readers_only(client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    assert _post(client, union, "../../minutes.pdf", b"%PDF-1.7 minutes").status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.filename == "minutes.pdf"  # no path from the client survives
    item = db.session.scalar(sa.select(FeedbackItem))
    download = client.get(f"/feedback/{item.id}/attachments/{attachment.id}")
    assert download.data == b"%PDF-1.7 minutes"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()


def test_a_confidential_items_attachment_is_hidden_from_other_unions(client, login, db):
    union, director, _manager = helpers.union_with_manager()
    _other, outsider, _m = helpers.union_with_manager("اتحادیه دیگر")
    login(director)
    _post(client, union, "minutes.pdf", b"%PDF-1.7 x", visibility="confidential")
    item = db.session.scalar(sa.select(FeedbackItem))
    attachment = db.session.scalar(sa.select(Attachment))
    login(outsider)
    response = client.get(f"/feedback/{item.id}/attachments/{attachment.id}")
    assert response.status_code == 404


def test_a_disallowed_or_disguised_file_is_refused_and_the_text_kept(client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    exe = _post(client, union, "tool.exe", b"MZ\x90\x00")
    assert exe.status_code == 400 and "cannot be attached" in exe.text
    assert "See the attached minutes." in exe.text
    fake = _post(client, union, "report.pdf", b"<html><script>alert(1)</script>")
    assert fake.status_code == 400 and "does not contain what its name says" in fake.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0


def test_an_attachment_over_the_limit_is_refused(app, client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    app.config["ATTACHMENT_MAX_MB"] = 1
    try:
        big = _post(client, union, "big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10))
    finally:
        app.config["ATTACHMENT_MAX_MB"] = 5
    assert big.status_code == 400 and "larger than 1 MB" in big.text


def test_an_unwritable_upload_folder_gives_a_clear_error_and_no_orphan_row(
        app, client, login, db, tmp_path):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    locked = tmp_path / "locked"
    (locked / "feedback").mkdir(parents=True)
    os.chmod(locked / "feedback", 0o500)
    old = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(locked)
    try:
        if os.access(locked / "feedback", os.W_OK):  # root ignores permissions: use a file
            os.chmod(locked / "feedback", 0o700)
            os.rmdir(locked / "feedback")
            (locked / "feedback").write_text("not a folder")
        response = _post(client, union, "minutes.pdf", b"%PDF-1.7 x")
    finally:
        app.config["UPLOAD_DIR"] = old
    assert response.status_code == 400 and "could not be stored" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0


def test_files_of_a_submission_the_database_refuses_at_commit_are_removed(
        app, client, login, db, monkeypatch):
    """A file is written before its row is committed. When the commit itself is refused (here
    a constraint; a lost connection alike) the rows are gone, and so must the files be."""
    union, director, _manager = helpers.union_with_manager()
    login(director)
    folder = Path(app.config["UPLOAD_DIR"]) / "feedback"
    kept_before = set(folder.iterdir()) if folder.exists() else set()

    def refused_commit():
        raise IntegrityError("INSERT INTO feedback_attachment", {}, Exception("refused"))

    monkeypatch.setattr(db.session, "commit", refused_commit)
    response = _post(client, union, "minutes.pdf", b"%PDF-1.7 minutes")
    monkeypatch.undo()
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0
    assert set(folder.iterdir()) == kept_before
