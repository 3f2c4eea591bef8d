"""Reading a value of a closed list (an organisation's kind, a group's grade) as people write it.

A file prepared in Hà Nam says "Tổ TK&VV", one from Tehran "گروه پس‌انداز و وام", one from
Khon Kaen "กลุ่มออมทรัพย์และสินเชื่อ"; all three mean savings_group. A vocabulary accepts the
code, the label in every language of the portal and the usual short forms, compared after
search_key (case, accents, Persian spelling variants and the ZWNJ do not matter) and
without spaces (Persian is typed "پس‌انداز", "پسانداز" or "پس انداز"), and says what it
accepts in the reader's language when it refuses a value.
"""
from babel.lists import format_list
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core.textnorm import search_key
from portal.i18n import current_language


def _key(text):
    return search_key(text).replace(" ", "")


class Vocabulary:
    """entries: [(value, code, label)] with label a lazy string; aliases: {value: [words]}."""

    def __init__(self, entries, aliases=None):
        self.entries = list(entries)
        self.aliases = aliases or {}
        self._words = {}

    def words(self):
        """{search key: value} of every accepted spelling. Two values that would share a
        spelling are a mistake in the catalogues or the aliases, and raise ValueError."""
        languages = tuple(current_app.config["LANGUAGES"])
        if languages not in self._words:
            words = {}
            for value, code, label in self.entries:
                spellings = {code, code.replace("_", " "), *self.aliases.get(value, ())}
                for language in languages:
                    with force_locale(language):
                        spellings.add(str(label))
                for spelling in spellings:
                    key = _key(spelling)
                    if words.get(key, value) != value:
                        raise ValueError(f"“{spelling}” means both {words[key]} and {value}")
                    words[key] = value
            self._words[languages] = words
        return self._words[languages]

    def read(self, text):
        """The value that text names, or None."""
        return self.words().get(_key(text or "")) if (text or "").strip() else None

    def allowed(self):
        """What may be written, in the reader's language: "Label (code), ... and Label
        (code)"."""
        return format_list([_("%(label)s (%(code)s)", label=label, code=code)
                            for _value, code, label in self.entries],
                           locale=current_language())
