"""Refresh the catalogues and fill in translations kept as JSON, one writer at a time.

Usage: .venv/bin/python scripts/i18n_add.py [DIR]   (default /tmp/i18n-pending)
Each *.json in DIR maps an English msgid to {"fa": ..., "vi": ..., "th": ...}; plural
entries map to {"fa": [one, other], ...} keyed by the singular msgid. Runs `extract`, fills
every empty msgstr it has a translation for, then compiles. Serialised with flock so several
people (or helpers) can run it at once.
"""
import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "portal/i18n/translations"


def pending(folder):
    table = {}
    for path in sorted(Path(folder).glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    return table


def fill(lang, table):
    path = DIR / lang / "LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        have = message.string if not isinstance(message.string, tuple) else message.string[0]
        if key in table and lang in table[key]:
            value = table[key][lang]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        elif not have:
            missing.append(key)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, include_lineno=False,
                 width=100)
    return missing


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/i18n-pending"
    with open("/tmp/i18n-catalogue.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["bash", "scripts/i18n.sh", "extract"], cwd=ROOT, check=True,
                       capture_output=True)
        table = pending(folder)
        for lang in ("fa", "vi", "th"):
            for key in fill(lang, table):
                print(f"untranslated in {lang}: {key!r}")
        subprocess.run(["bash", "scripts/i18n.sh", "compile"], cwd=ROOT, check=True,
                       capture_output=True)
        (ROOT / "messages.pot").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
