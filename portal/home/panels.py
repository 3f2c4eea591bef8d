"""Areas add panels to the home page, and links to the main navigation, by registering here.

A panel function takes the current user and returns None (nothing to show this user) or a dict
{"title", "template", "order", ...context}; the home page renders them in order.
"""
_PANELS = []


def home_panel(func):
    _PANELS.append(func)
    return func


def panels_for(user):
    shown = [panel for panel in (func(user) for func in _PANELS) if panel]
    return sorted(shown, key=lambda p: p.get("order", 100))


_NAV = []


def nav_item(endpoint, label, visible, order=50):
    """Add a link to the main navigation: label (lazy), shown when visible(user) is true."""
    _NAV.append((order, endpoint, label, visible))


def nav_items_for(user):
    return [(endpoint, label) for _order, endpoint, label, visible in sorted(
        _NAV, key=lambda item: item[0]) if visible(user)]
