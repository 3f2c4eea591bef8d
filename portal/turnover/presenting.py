"""How the turnover pages present the figures the services add up: which month or quarter is
shown, its label, the trend by quarter, the charts and the tables the exports hold.

Nothing here queries the database itself: figures come from portal.turnover.services,
concentration and unions, and are only arranged (a few dozen summed rows at a time).
"""
from collections import namedtuple
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import Sector
from portal.core import charts, versions
from portal.i18n import is_rtl, month_filter, percent_filter
from portal.i18n.display import country_name
from portal.turnover import concentration, queries, services
from portal.turnover.models import FIGURE_LABELS, FIGURES
from portal.turnover.windows import Window, parse_window

LEVEL_LABELS = {"organisation": _l("Organisation"), "union": _l("Union"),
                "sector": _l("Sector"), "province": _l("Province"), "network": _l("Network")}
TABLES = ("shares", "reports", "laggards", "movers", "trend", "banks")
SHOWN = 50  # rows of a long list on the page; the exports hold them all
TrendRow = namedtuple("TrendRow", "month currency total bank share")


# --- the month or quarter shown --------------------------------------------------------------

def window_choices(available):
    """(months, quarters): the windows the dashboard offers, newest first."""
    months = [Window.of_period(p) for p in available]
    quarters = list(dict.fromkeys(Window.quarter_of(w.country, w.start) for w in months))
    return months, quarters


def _selected_period(available, wanted):
    for period in available:
        if period.id == wanted:
            return period
    return available[0] if available else None


def selected_window(available, args):
    """The month or quarter asked for (?window=IR-2025-08 or IR-2025-Q3; ?period=<id> as
    before), if the user can read any figures in it; else the latest month with figures."""
    months, quarters = window_choices(available)
    wanted = parse_window(args.get("window"))
    if wanted in months or wanted in quarters:
        return wanted
    period = _selected_period(available, args.get("period", type=int))
    return Window.of_period(period) if period else None


def window_label(window):
    if window.length == 1:
        return month_filter(window.start)
    return _("%(first)s to %(last)s", first=month_filter(window.start),
             last=month_filter(window.last))


def window_option(months):
    """How the period picker names a month or quarter: in words ("مرداد ۱۴۰۴"), with its
    country's name only when the picker offers the periods of more than one country."""
    several = len({w.country for w in months}) > 1

    def option(window):
        if not several:
            return window_label(window)
        return _("%(period)s, %(country)s", period=window_label(window),
                 country=country_name(window.country))
    return option


def trend_label(window):
    """How a row of the trend is named: its quarter, or its month."""
    if window.length == 3:
        return lambda month: window_label(Window.quarter_of("", month))
    return month_filter


def default_level(user):
    if permissions.is_admin(user) or permissions.is_ministry(user):
        return "union"
    return "organisation"


def level_asked(user, args):
    level = args.get("level", default_level(user))
    return level if level in services.LEVELS else default_level(user)


# --- figures ---------------------------------------------------------------------------------

def _sector_names(rows):
    """At the sector level the name column holds the Sector value: show its label."""
    labels = {s.value: str(s.label) for s in Sector}
    return [SimpleNamespace(**{**r._asdict(), "name": labels.get(r.name, _("No sector given"))})
            for r in rows]


def shares(user, window, level):
    rows = services.shares(user, window.period_ids(), level)
    return _sector_names(rows) if level == "sector" else rows


def _quarterly(trend):
    """Month rows of the trend added up into quarters (a few dozen rows, already summed)."""
    sums = {}
    for row in trend:
        key = (row.currency, Window.quarter_of("", row.month).start)
        total, bank = sums.get(key, (Decimal(0), Decimal(0)))
        sums[key] = (total + (row.total or 0), bank + (row.bank or 0))
    return [TrendRow(month, currency, total, bank, float(bank / total) if total else None)
            for (currency, month), (total, bank) in sorted(sums.items())]


def trend(user, window, rows=None):
    """The trend of the window's country (or the rows given), by quarter for a quarter."""
    rows = services.trend(user, country=window.country) if rows is None else rows
    return _quarterly(rows) if window.length == 3 else rows


def dashboard_figures(user, window, level, below, available):
    figures = versions.remembered(
        "turnover_dashboard", queries.FIGURE_TABLES,
        (queries.reader_key(user), window, level, below),
        lambda: _summed_figures(user, window, level, below))
    rows, trend_rows = figures["rows"], figures["trend"]
    return dict(
        period=next((p for p in available if p.country == window.country and
                     p.month in window.months), None),
        network=figures["network"],
        rows=rows[:SHOWN * 2], row_count=len(rows), trend=trend_rows,
        laggards=figures["laggards"], laggard_count=figures["laggard_count"],
        up=figures["up"], down=figures["down"],
        trend_label=trend_label(window),
        concentration=figures["concentration"],
        **trend_charts(window, trend_rows, _("Trend of the in-bank share")),
        bars=_share_bars(window, level, rows, below),
        bars_phone=_share_bars(window, level, rows, below, compact=True),
    )


def _summed_figures(user, window, level, below):
    """The dashboard's sums over up to a million reports (the costly part, ~250 ms on the
    bench data set): kept per reader scope until a report, period or organisation changes."""
    laggards, laggard_count, up, down = services.comparison(user, window, below, shown=SHOWN)
    return {"rows": tuple(shares(user, window, level)), "trend": tuple(trend(user, window)),
            "laggards": laggards, "laggard_count": laggard_count, "up": up, "down": down,
            "network": services.network_shares(user, window.period_ids()),
            "concentration": concentration.concentration(user, window)}


# --- charts ----------------------------------------------------------------------------------

def trend_charts(window, rows, title):
    """The trend as a chart for wide screens and one laid out for a phone."""
    return {"trend_chart": _trend_chart(window, rows, title),
            "trend_chart_phone": _trend_chart(window, rows, title, compact=True)}


def _trend_chart(window, rows, title, compact=False):
    rows = [r for r in rows if r.currency == rows[-1].currency] if rows else []
    months = [r.month for r in rows]
    label = window_label if window.length == 3 else month_filter
    if window.length == 3:
        months = [Window.quarter_of("", m) for m in months]
    ticks = [(v, percent_filter(v, 0)) for v in (0, 0.25, 0.5, 0.75, 1.0)]
    if window.length == 3:
        description = _("In-bank share of turnover by quarter, %(first)s to %(last)s",
                        first=month_filter(months[0].start) if months else "",
                        last=month_filter(months[-1].last) if months else "")
    else:
        description = _("In-bank share of turnover by month, %(first)s to %(last)s",
                        first=label(months[0]) if months else "",
                        last=label(months[-1]) if months else "")
    return charts.line_chart(
        title, description,
        [label(m) for m in months], [(_("In-bank share"), [r.share for r in rows])],
        ticks, rtl=is_rtl(), compact=compact)


def _share_bars(window, level, rows, below, compact=False):
    # a phone has room for the ten largest; the table below lists them all
    return charts.bar_chart(
        _("In-bank share by %(level)s, %(month)s", level=LEVEL_LABELS[level],
          month=window_label(window)),
        _("Share of each one's turnover that went through the bank."),
        [(r.name or "—", r.share, percent_filter(r.share, 1))
         for r in rows[:10 if compact else 25]],
        rtl=is_rtl(), threshold=(float(below), percent_filter(below, 0)), compact=compact)


# --- the tables of the exports ---------------------------------------------------------------

def table(user, name, window, level):
    """(header, rows) of one dashboard table, raw values for CSV/XLSX."""
    if name == "shares":
        header = [str(LEVEL_LABELS[level]), _("Currency"), _("Total turnover"),
                  _("Turnover through the bank"), _("In-bank share"), _("Organisations")]
        return header, [[r.name, r.currency, r.total, r.bank, _round(r.share), r.organisations]
                        for r in shares(user, window, level)]
    if name == "reports":
        header = [_("Code"), _("Organisation"), _("Period"), _("Currency")] + \
            [str(FIGURE_LABELS[f]) for f in FIGURES] + [_("Source")]
        return header, [[org.code, org.name, f"{period.month:%Y-%m}", rep.currency] +
                        [getattr(rep, f) for f in FIGURES] + [rep.source.value]
                        for rep, org, period in services.reports_for(user,
                                                                     window.period_ids())]
    if name == "laggards":
        header = [_("Organisation"), _("Currency"), _("In-bank share"),
                  _("Last period"), _("Fell below this period")]
        return header, [[r.name, r.currency, _round(r.share), _round(r.previous),
                         _("yes") if r.fell else ""]
                        for r in services.laggards(user, window)]
    if name == "movers":
        up, down = services.movers(user, window, limit=50)
        header = [_("Organisation"), _("Currency"), _("In-bank share"), _("Last period"),
                  _("Change")]
        return header, [[r.name, r.currency, _round(r.share), _round(r.previous),
                         _round(r.change)] for r in up + down]
    if name == "banks":
        header = [_("Currency"), _("Bank"), _("Turnover"), _("Share"),
                  _("Herfindahl-Hirschman index")]
        return header, [[c.currency, b.name or _("This bank"), b.amount, _round(b.share), c.hhi]
                        for c in concentration.concentration(user, window) for b in c.banks]
    header = [_("Month"), _("Currency"), _("Total turnover"), _("Turnover through the bank"),
              _("In-bank share")]
    return header, [[f"{r.month:%Y-%m}", r.currency, r.total, r.bank, _round(r.share)]
                    for r in trend(user, window)]


def _round(value):
    return None if value is None else round(float(value), 4)
