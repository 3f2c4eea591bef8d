"""Areas add panels to the home page by registering a function here.

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
