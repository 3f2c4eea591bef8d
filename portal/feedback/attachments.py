"""Attachments: type- and size-checked, stored outside the web root under a random name."""
import os
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.core.errors import ValidationError
from portal.core.sanitize import plain_text
from portal.feedback.models import Attachment

# extension -> (content type, how the first bytes must look)
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}


def _directory():
    path = Path(current_app.config["UPLOAD_DIR"]) / "feedback"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(filename):
    # keep only the last path part: "../../etc/passwd" becomes "passwd"
    name = os.path.basename((filename or "").replace("\\", "/"))
    return plain_text(name, 200).lstrip(".") or "file"


def _check_content(extension, data):
    _ctype, signatures = ALLOWED[extension]
    if signatures:
        return any(data.startswith(sig) for sig in signatures)
    if b"\x00" in data[:4096]:
        return False
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character may be cut at 4096: try a little less
        try:
            data[:4090].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def validate(upload):
    """Return (safe name, extension, bytes) or raise ValidationError with a translated reason."""
    name = _safe_name(upload.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(_("Files of this type cannot be attached. Allowed: %(types)s.",
                                types=", ".join(sorted(ALLOWED))), field="attachments")
    data = upload.read()
    limit = current_app.config["ATTACHMENT_MAX_MB"] * 1024 * 1024
    if len(data) > limit:
        raise ValidationError(_("%(name)s is larger than %(mb)d MB.", name=name,
                                mb=current_app.config["ATTACHMENT_MAX_MB"]),
                              field="attachments")
    if not data or not _check_content(extension, data):
        raise ValidationError(_("%(name)s does not contain what its name says.", name=name),
                              field="attachments")
    return name, extension, data


def _check_room(item):
    """An item holds at most ATTACHMENTS_PER_ITEM files: one submission of hundreds would
    otherwise fill the disk and the item's page."""
    most = current_app.config["ATTACHMENTS_PER_ITEM"]
    if len(item.attachments) >= most:
        raise ValidationError(ngettext("Attach at most %(num)d file to one item.",
                                       "Attach at most %(num)d files to one item.", most),
                              field="attachments")


def store(item, actor, upload):
    """Write the file, then add its row: if the disk refuses, no row is left behind.
    Refused (ValidationError) when the item already holds as many files as it may."""
    _check_room(item)
    name, extension, data = validate(upload)
    key = uuid.uuid4().hex
    path = None
    try:
        path = _directory() / key
        path.write_bytes(data)
    except OSError as exc:
        if path is not None:  # a disk that filled up mid-write leaves a partial file
            path.unlink(missing_ok=True)
        raise ValidationError(_("The file could not be stored. Nothing was saved; try again "
                                "later.")) from exc
    attachment = Attachment(filename=name, content_type=ALLOWED[extension][0], size=len(data),
                            storage_key=key, uploaded_by_id=actor.id)
    item.attachments.append(attachment)
    return attachment


def discard(stored):
    """Remove the files of attachments whose rows will not be saved (the submission was
    refused or rolled back after some files were written)."""
    for attachment in stored:
        try:
            path_of(attachment).unlink(missing_ok=True)
        except OSError:
            pass  # an unwritable directory: nothing more can be done, the row is gone anyway


def path_of(attachment):
    return _directory() / attachment.storage_key
