#!/usr/bin/env bash
# Translation catalogues: `extract` refreshes the .po files from the code, `compile` builds
# the .mo files the portal reads (the install step runs it; .mo files are never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=portal/i18n/translations
case "${1:-compile}" in
  extract)
    "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext -k _lp:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
      --project "Cooperative Bank Portal" -o messages.pot portal
    for lang in fa vi th; do
      if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" update --no-fuzzy-matching -i messages.pot -d "$DIR" -l "$lang"
      else
        "$PYBABEL" init -i messages.pot -d "$DIR" -l "$lang"
      fi
    done
    ;;
  compile)
    "$PYBABEL" compile -d "$DIR" --statistics
    ;;
  *) echo "usage: scripts/i18n.sh extract|compile" >&2; exit 2 ;;
esac
