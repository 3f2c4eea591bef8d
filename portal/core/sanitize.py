"""The one sanitiser for rich text. Every rich-text field goes through sanitize_html()."""
import bleach
from bleach.css_sanitizer import CSSSanitizer
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a",
    "span", "hr",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
    "span": ["dir", "lang"],
    "p": ["dir", "lang"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Unicode bidi overrides let a name display as something else; isolates are kept for mixed
# Persian/English text, overrides are dropped.
_BIDI_OVERRIDES = dict.fromkeys(map(ord, "\u202a\u202b\u202d\u202e"), None)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    css_sanitizer=CSSSanitizer(allowed_css_properties=[]),
    filters=[],
)


def _safe_links(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if href:
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


def strip_bidi_overrides(text):
    return (text or "").translate(_BIDI_OVERRIDES)


def sanitize_html(html):
    """Return markup safe to render: allow-listed tags, http(s)/mailto links only.

    Idempotent: sanitising sanitised text returns it unchanged.
    """
    cleaned = _cleaner.clean(strip_bidi_overrides(html))
    cleaned = bleach.linkify(cleaned, callbacks=[_safe_links], parse_email=False)
    return Markup(cleaned)  # noqa: S704 - the sanitiser itself  # nosec B704


def plain_text(value, max_length=None):
    """Normalise a plain-text field: trim, drop bidi overrides and control characters."""
    text = strip_bidi_overrides(value).strip()
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    if max_length is not None:
        text = text[:max_length]
    return text


def rich_text(value):
    """What a person typed into a rich-text box, as safe HTML.

    Text with markup goes through sanitize_html; plain text keeps its paragraphs and line
    breaks (escaped), so a message typed without any formatting reads as it was written.
    """
    from markupsafe import escape

    value = (value or "").strip()
    if "<" in value and ">" in value:
        return sanitize_html(value)
    paragraphs = [p for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    html = "".join(f"<p>{escape(p.strip())}</p>".replace("\n", "<br>") for p in paragraphs)
    return sanitize_html(html)
