"""Disk full while attachments are written: a clear error, nothing saved, no orphan rows.

The unwritable-folder case is in tests/feedback/test_attachments.py; here the disk fills up
after the first of two files was written (ENOSPC), so the item, the first attachment's row
and the second's are all gone together. Feedback attachments are the only files the portal
keeps (meeting minutes are rich text, imports are read and dropped)."""
import errno
import pathlib

import sqlalchemy as sa

from portal.feedback.models import Attachment, FeedbackItem
from tests.feedback import helpers

BOUNDARY = "portal-disk-boundary"


def _body(fields, files):
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts += [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
              f'filename="{name}"\r\n\r\n'.encode() + content + b"\r\n"
              for name, content in files]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_a_full_disk_gives_a_clear_error_and_leaves_no_row(client, login, db, monkeypatch):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    real_write = pathlib.Path.write_bytes
    writes = []

    def fill_up(path, data):
        writes.append(path)
        if len(writes) == 1:
            return real_write(path, data)
        real_write(path, data[:3])  # part of the file got out before the disk was full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", fill_up)
    body = _body({"organisation_id": union.id, "title": "Two files", "concerns": "branch",
                  "body": "Minutes and the annex.", "topic": "speed", "visibility": "public"},
                 [("minutes.pdf", b"%PDF-1.7 one"), ("annex.pdf", b"%PDF-1.7 two")])
    response = client.post("/feedback/new/critique", data=body,
                           content_type=f"multipart/form-data; boundary={BOUNDARY}")
    monkeypatch.undo()
    assert len(writes) == 2
    assert response.status_code == 400 and "could not be stored" in response.text
    assert "Minutes and the annex." in response.text  # what was typed is kept
    for model in (FeedbackItem, Attachment):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    # and no file is left behind: neither the first, whose row is gone, nor the partial second
    assert [path for path in writes if path.exists()] == []
