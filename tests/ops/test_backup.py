"""The documented backup and restore scripts round-trip a real PostgreSQL database."""
import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.accounts.models import Organisation
from tests.conftest import _recreate_postgres_database
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[2]


def test_backup_then_restore_into_an_empty_database(db, tmp_path):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("pg_dump backups are for PostgreSQL (the suite's second run)")
    make_org("national_union", name="اتحادیه سراسری تعاونی‌های مسکن", code="IR-BACKUP")
    db.session.commit()
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "minutes.pdf").write_bytes(b"%PDF-1.4")
    dump = subprocess.run([ROOT / "deploy/backup.sh", url, uploads, tmp_path / "out"],
                          capture_output=True, text=True, check=True).stdout.strip()
    target = sa.engine.make_url(url).set(database="portal_restore_test")
    target_url = target.render_as_string(hide_password=False)
    _recreate_postgres_database(target_url)
    tarball = next((tmp_path / "out").glob("uploads-*.tar.gz"))
    subprocess.run([ROOT / "deploy/restore.sh", dump, target_url, tarball, tmp_path / "back"],
                   capture_output=True, text=True, check=True)
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        name = conn.execute(sa.select(Organisation.name).where(
            Organisation.code == "IR-BACKUP")).scalar_one()
    engine.dispose()
    assert name == "اتحادیه سراسری تعاونی‌های مسکن"
    assert (tmp_path / "back" / "minutes.pdf").read_bytes() == b"%PDF-1.4"
