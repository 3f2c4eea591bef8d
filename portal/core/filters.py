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


def option_tags(choices, selected):
    """<option> tags for (value, label) pairs, the one whose value is `selected` (as text, the
    way it comes back in the query string) marked: one join in Python rather than a template
    loop, for the lists of hundreds (a network's branches: 15 ms a page as a Jinja loop)."""
    selected = "" if selected is None else str(selected)
    return Markup("").join(  # Markup.format escapes the value and the label
        _OPTION.format(value, _SELECTED if str(value) == selected else "", label)
        for value, label in choices)


_OPTION = Markup('<option value="{}"{}>{}</option>')
_SELECTED = Markup(" selected")
