"""Normalising text for search and comparison across Persian, Vietnamese, Thai and English."""
import re
import unicodedata

_ARABIC_TO_PERSIAN = str.maketrans({
    "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
    "\u0649": "\u06cc",  # alef maksura -> Persian yeh
    "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u06c0": "\u0647",  # heh with yeh above -> heh
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",  # alef forms -> alef
})
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Zero-width non-joiner and joiner, tatweel, and Arabic diacritics: typed or not, same word.
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u0640\u064b-\u065f\u0670]")
_SPACES = re.compile(r"\s+")


def _strip_latin_marks(text):
    """Drop combining marks on Latin letters (Vietnamese with or without diacritics).

    Marks on Thai or Arabic-script letters carry meaning (tone marks, vowels) and stay.
    """
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn" and out and out[-1] < "\u0250":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).replace("đ", "d")


def normalize_persian(text):
    """Persian spelling variants to one form: ي/ی, ك/ک, with or without the ZWNJ."""
    return _INVISIBLE.sub("", (text or "").translate(_ARABIC_TO_PERSIAN))


def search_key(*parts):
    """One lower-case, accent-folded, Persian-normalised string for LIKE/trigram matching."""
    text = " ".join(p for p in parts if p)
    text = normalize_persian(text).translate(_DIGITS).casefold()
    text = _strip_latin_marks(text)
    return _SPACES.sub(" ", text).strip()


def matches_all_words(column, query):
    """A SQL condition: the search_key column contains every word of the query, in any order."""
    import sqlalchemy as sa

    words = search_key(query).split()
    return sa.and_(*(column.contains(word, autoescape=True) for word in words)) \
        if words else sa.true()
