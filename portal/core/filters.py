"""Filters of a list: how many the reader has set, for the button that folds them on a phone
(portal/templates/_filters.html), and the options of a long choice."""
from markupsafe import Markup

# query parameters that page or order a list rather than narrow it
NOT_FILTERS = frozenset({"page", "per_page", "sort"})


def active_count(args, ignore=()):
    """How many filters are set in the query string args (a MultiDict such as request.args):
    each parameter with a value counts once, whatever it holds ("kind=critique" and
    "overdue=1" alike); an empty box ("q=") and the page, the page size and the sort order
    do not."""
    skipped = NOT_FILTERS | set(ignore)
    return sum(1 for name in args if name not in skipped
               and any(str(value).strip() for value in args.getlist(name)))


def option_tags(options, selected, value="value", text="label"):
    """<option> tags for a list filter's choices, the one whose value is `selected` (also as
    text, the way it comes back in the query string) marked: one join in Python rather than a
    template loop, for lists of hundreds (a network's branches: 15 ms a page as a Jinja loop).
    An option's value and text are its attributes (or items) `value` and `text`; with either
    None or empty, the option itself. (id, name) rows: value="id", text="name"; pairs: 0, 1."""
    chosen = "" if selected is None else str(selected)
    tags = []
    for option in options:
        key = _field(option, value)
        label = _field(option, text)
        marked = _SELECTED if key == selected or str(key) == chosen else ""
        tags.append(_OPTION.format(key, marked, label))  # format escapes key and label
    return Markup("").join(tags)


def _field(option, name):
    if name is None or name == "":
        return option
    try:
        return getattr(option, name)
    except (AttributeError, TypeError):  # an item rather than an attribute (0 of a pair)
        return option[name]


_OPTION = Markup('<option value="{}"{}>{}</option>')
_SELECTED = Markup(" selected")
