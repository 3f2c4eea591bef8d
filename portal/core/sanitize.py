"""The one sanitiser for rich text. Every rich-text field goes through sanitize_html().

Rich text reaches the server in three shapes, and all three end up as the same small HTML:
- what the formatting editor (Quill, portal/static/js/richtext.js) produces: paragraphs,
  h2/h3, bold, italic, links and Quill 2's lists, which are one <ol> whose items say
  data-list="bullet|ordered": they are regrouped into real <ul>/<ol>;
- what a word processor puts on the clipboard (Word's mso-list paragraphs, <o:p>, classes,
  styles, spans, Google Docs' font-weight spans): headings, lists, bold, italic and line
  breaks are kept, the rest dropped;
- plain text typed without JavaScript: lines outside any block become paragraphs, single line
  breaks <br>.
A first pass (_normalise) rewrites the markup into that vocabulary; bleach then has the last
word on tags, attributes and link schemes.
"""
import re
from html import escape
from html.parser import HTMLParser

import bleach
from bleach.css_sanitizer import CSSSanitizer
from markupsafe import Markup

from portal.core.errors import ValidationError

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a",
    "span", "hr",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Unicode bidi overrides let a name display as something else; isolates are kept for mixed
# Persian/English text, overrides are dropped.
_BIDI_OVERRIDES = dict.fromkeys(map(ord, "\u202a\u202b\u202d\u202e"), None)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_LINK = re.compile(r"^(?:(?:https?|mailto):|/(?!/)|#)", re.IGNORECASE)


def is_safe_href(href):
    """An address a link may point to: http(s), mailto, a path on this site or a fragment.

    Scheme-relative addresses (//evil.example, and /\\evil.example, which browsers read the
    same way) leave the portal while looking like a local path, so they are refused."""
    href = _CONTROL.sub("", href or "").replace("\\", "/")
    return bool(href) and bool(_LINK.match(href))


def _attribute_allowed(tag, name, value):
    if tag == "a":
        return name == "title" or name == "rel" or (name == "href" and is_safe_href(value))
    if tag in ("th", "td"):
        return name in ("colspan", "rowspan") or (tag == "th" and name == "scope")
    if tag in ("p", "span"):
        return name in ("dir", "lang")
    return False


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_attribute_allowed,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    css_sanitizer=CSSSanitizer(allowed_css_properties=[]),
    filters=[],
)


# --- the first pass: from editor, word-processor or plain text to the portal's vocabulary ---

_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr",
                   "source", "embed", "param", "track"})
# dropped with everything inside: their text was never meant to be read as part of the text
_DROPPED = frozenset({"script", "style", "head", "title", "meta", "link", "xml", "template",
                      "noscript", "iframe", "object", "embed", "svg", "math", "o:p", "button",
                      "select", "textarea", "input", "form", "img", "picture", "video",
                      "audio", "canvas", "map"})
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
                     "blockquote", "pre", "table", "hr"})
# containers whose content stays but whose box means nothing in a text
_UNWRAPPED = frozenset({"html", "body", "main", "section", "article", "header", "footer",
                        "center", "font"})
# the page has its h1 and section h2s: a text's headings are h3 and h4 (the editor offers those)
_HEADINGS = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_ORDERED_MARKER = re.compile(r"^\s*(?:\d+|[a-z]|[ivxlcdm]+)[.)]", re.IGNORECASE)
_TAG_LIKE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?>|<!--|&[a-zA-Z#][a-zA-Z0-9]*;")


class _Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs=None, children=None):
        self.tag, self.attrs, self.children = tag, dict(attrs or {}), children or []

    def style(self):
        return (self.attrs.get("style") or "").replace(" ", "").lower()

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    """A forgiving tree of the fragment; comments, declarations and Word's conditional
    sections (<![if !supportLists]>) are left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, [(k, v or "") for k, v in attrs])
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Element(tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _list_kind(element):
    """'ul' or 'ol' for a list item marked by Quill (li data-list) or by _rewrite (a Word
    list paragraph), else None."""
    marked = element.attrs.get("data-list")
    if element.tag in ("li", "p") and marked:
        return "ol" if marked == "ordered" else "ul"
    return None


def _word_list_kind(element):
    """Word writes list items as <p style="mso-list:l0 level1 lfo1"> with the bullet or
    number in a span marked mso-list:Ignore; the marker tells bullets from numbers."""
    if element.tag != "p" or "mso-list:" not in element.style():
        return None
    marker = "".join(c.text() for c in _descendants(element) if "mso-list:ignore" in c.style())
    return "ordered" if _ORDERED_MARKER.match(marker) else "bullet"


def _descendants(element):
    for child in element.children:
        if isinstance(child, _Element):
            yield child
            yield from _descendants(child)


def _is_blank(node):
    return isinstance(node, str) and not node.strip()


def _group_list_items(children):
    """Consecutive list items (Quill's, Word's paragraphs) become one <ul> or <ol> each."""
    grouped, current = [], None
    for node in children:
        kind = _list_kind(node) if isinstance(node, _Element) else None
        if kind is None and current is not None and _is_blank(node):
            continue
        if kind is None:
            grouped.append(node)
            current = None
            continue
        item = _Element("li", children=node.children)
        if current is None or current.tag != kind:
            current = _Element(kind)
            grouped.append(current)
        current.children.append(item)
    return grouped


def _rewrite(element):
    """The element as a list of nodes in the portal's vocabulary (it may vanish or unwrap)."""
    tag, style = element.tag, element.style()
    if tag in _DROPPED or "mso-list:ignore" in style or "ql-ui" in element.attrs.get(
            "class", "").split():
        return []
    children = _rewrite_children(element.children)
    if tag in ("ol", "ul") and any(_list_kind(c) for c in element.children
                                   if isinstance(c, _Element)):
        return _group_list_items(children)  # Quill 2: one <ol>, each item says its kind
    if _word_list_kind(element):
        return [_Element("p", {"data-list": _word_list_kind(element)}, children)]
    if tag in _HEADINGS:
        return [_Element(_HEADINGS[tag], children=children)]
    if tag in _UNWRAPPED:
        return children
    if tag == "p" and all(_is_blank(c) for c in children):
        return []  # an empty box, like the <p></p> the old minutes outline left
    if tag == "div":
        has_blocks = any(isinstance(c, _Element) and c.tag in _BLOCKS for c in children)
        return children if has_blocks else [_Element("p", children=children)]
    if tag in ("b", "strong") and re.search(r"font-weight:(normal|[1-5]00)", style):
        return children  # Google Docs wraps the whole clipboard in <b style=normal>
    if tag == "span":
        return _styled_inline(element, style, children)
    return [_Element(tag, element.attrs, children)]


def _styled_inline(element, style, children):
    """Word and Google Docs say bold and italic with styles on spans; keep what they mean."""
    if re.search(r"font-weight:(bold|[6-9]00)", style):
        children = [_Element("strong", children=children)]
    if "font-style:italic" in style:
        children = [_Element("em", children=children)]
    kept = {k: v for k, v in element.attrs.items() if k in ("dir", "lang")}
    return [_Element("span", kept, children)] if kept else children


def _rewrite_children(children):
    out = []
    for node in children:
        out.extend(_rewrite(node) if isinstance(node, _Element) else [node])
    return _group_list_items(out)


def _paragraphs_of_loose_text(children):
    """Text and inline markup outside any block (typed without the editor) become
    paragraphs: a blank line starts a new one, a single line break is kept as <br>."""
    out, run = [], []

    def flush():
        if not run:
            return
        paragraph = _Element("p")
        for node in run:
            if isinstance(node, str):
                paragraph.children.extend(_lines_to_breaks(node))
            else:
                paragraph.children.append(node)
        if any(not _is_blank(c) for c in paragraph.children):
            out.append(paragraph)
        run.clear()

    for node in children:
        if isinstance(node, _Element) and node.tag in _BLOCKS:
            flush()
            out.append(node)
        elif isinstance(node, str) and "\n\n" in node.replace("\r\n", "\n"):
            head, *rest = re.split(r"\n\s*\n", node.replace("\r\n", "\n"))
            run.append(head)
            for piece in rest:
                flush()
                run.append(piece)
        else:
            run.append(node)
    flush()
    return out


def _lines_to_breaks(text):
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    nodes = []
    for index, line in enumerate(lines):
        if index:
            nodes.append(_Element("br"))
        nodes.append(line)
    return nodes


def _serialise(nodes):
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node, quote=False))
            continue
        attrs = "".join(f' {k}="{escape(v)}"' for k, v in node.attrs.items()
                        if k in ("href", "title", "dir", "lang", "colspan", "rowspan", "scope")
                        and (k != "href" or is_safe_href(v)))
        if node.tag == "a" and "href" in node.attrs and not is_safe_href(node.attrs["href"]):
            parts.append(_serialise(node.children))  # the words stay, the address goes
            continue
        if node.tag in _VOID:
            parts.append(f"<{node.tag}{attrs}>")
        else:
            parts.append(f"<{node.tag}{attrs}>{_serialise(node.children)}</{node.tag}>")
    return "".join(parts)


def _normalise(html):
    if not _TAG_LIKE.search(html):
        html = escape(html, quote=False)  # plain text: a "<" typed is a "<" shown
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return _serialise(_paragraphs_of_loose_text(_rewrite_children(builder.root.children)))


# --- the public functions ---------------------------------------------------------------------

def _safe_links(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if href and not is_safe_href(href):
        return None
    if href:
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


def strip_bidi_overrides(text):
    return (text or "").translate(_BIDI_OVERRIDES)


def sanitize_html(html):
    """Return markup safe to render: allow-listed tags, http(s)/mailto/local links only.

    Idempotent: sanitising sanitised text returns it unchanged.
    """
    cleaned = _cleaner.clean(_normalise(strip_bidi_overrides(html)))
    cleaned = bleach.linkify(cleaned, callbacks=[_safe_links], parse_email=False)
    return Markup(cleaned)  # noqa: S704 - the sanitiser itself  # nosec B704


def plain_text(value, max_length=None):
    """Normalise a plain-text field: trim, drop bidi overrides and control characters."""
    text = strip_bidi_overrides(value).strip()
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    if max_length is not None:
        text = text[:max_length]
    return text


def required_reason(value, max_length, message):
    """The reason a person must give for a step (a cancelled meeting, a reopened item), as
    plain text; ValidationError(message) on the reason field when there is none."""
    reason = plain_text(value or "", max_length)
    if not reason:
        raise ValidationError(message, field="reason")
    return reason


def rich_text(value):
    """What a person typed into a rich-text box, as safe HTML.

    Markup from the editor or a word processor goes through sanitize_html; plain text (typed
    without JavaScript) keeps its paragraphs and line breaks, so a message typed without any
    formatting reads as it was written.
    """
    return sanitize_html((value or "").strip())
