"""Server-rendered SVG charts: no script, no inline style (the CSP forbids both), only
presentation attributes. Every chart has a <title> and <desc> and the page shows the same
numbers as a table. In right-to-left pages the time axis runs from right to left and the
bars grow from the right, and every label is formatted by the caller with the locale's
filters (digits, separators, calendar).

A phone shows a chart about 340 px wide: a 640-unit chart scaled down to that prints its
12-unit labels at 6 px. Each chart therefore has a compact layout (compact=True) drawn for a
phone's width, with fewer labels and bars under their names; a page shows the compact one on
phones and the full one elsewhere (.chart-wide / .chart-phone in portal.css)."""
import itertools

from markupsafe import Markup, escape

# a label may be a Persian name in a left-to-right chart or a Latin code in a right-to-left
# one: first-strong isolates keep it whole next to the ": 45%" that follows it in a tooltip
FSI, PDI = "\u2068", "\u2069"
PALETTE = ("#0b4f6c", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0369a1", "#a16207")
_ids = itertools.count(1)


def _attrs(**attrs):
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in
                    attrs.items() if v is not None)


def _isolated(label):
    return escape(f"{FSI}{label}{PDI}")


# the compact layout's width in units: drawn at 336-366 px (a 360-390 px phone less the page's
# margins), so its 13-unit labels print at 12-13 px
PHONE_WIDTH = 360
PHONE_FONT = 13


def _open(width, height, title, desc, rtl, font_size=12):
    n = next(_ids)
    return n, (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
               f'class="portal-chart" width="100%" role="img" '
               f'aria-labelledby="chart-{n}-t chart-{n}-d" direction="{"rtl" if rtl else "ltr"}" '
               f'font-family="inherit" font-size="{font_size}">'
               f'<title id="chart-{n}-t">{escape(title)}</title>'
               f'<desc id="chart-{n}-d">{escape(desc)}</desc>')


def _shown_x_labels(count, most):
    """The x positions that get a label: at most `most`, evenly spread from the oldest to the
    latest, so two are never crowded together at the end."""
    if count <= most:
        return set(range(count))
    return {round(i * (count - 1) / (most - 1)) for i in range(most)}


def _y_ticks_for_phone(y_ticks):
    """Every other tick, the first and the last kept: five share labels crowd a phone's axis."""
    if len(y_ticks) <= 3:
        return list(y_ticks)
    kept = list(y_ticks[::2])
    if kept[-1] != y_ticks[-1]:
        kept.append(y_ticks[-1])
    return kept


def line_chart(title, desc, x_labels, series, y_ticks, rtl=False, width=640, height=260,
               y_max=1.0, markers=(), compact=False):
    """Lines over time.

    x_labels: formatted labels of the x positions (oldest first); series: [(name, [value or
    None per x])] with values between 0 and y_max; y_ticks: [(value, formatted label)];
    markers: [(x index, formatted label)] drawn as a dashed vertical line (an event).
    compact: the phone layout (PHONE_WIDTH wide, larger type, three month labels, fewer ticks).
    """
    if compact:
        width, height, font_size, most_labels = PHONE_WIDTH, 220, PHONE_FONT, 3
        y_ticks = _y_ticks_for_phone(y_ticks)
        # a month label ("مرداد ۱۴۰۴") is ~70 units at 13: half of it fits in either margin
        left, right, top, bottom = 44, 40, 14, 44
    else:
        font_size, most_labels = 12, 6
        # the far margin leaves room for half a centred month label ("مرداد ۱۴۰۴" is ~90 px)
        left, right, top, bottom = 56, 48, 16, 48
    n, out = _open(width, height, title, desc, rtl, font_size)
    if rtl:
        left, right = right, left
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(x_labels), 1)

    def x_at(i):
        # laid out left to right from the axis side, then mirrored for right-to-left: the
        # axis margin (the larger one) is measured before mirroring, so the plot stays inside
        # its grid and the oldest month sits next to the axis on the right
        axis_margin = max(left, right)
        step = plot_w / max(count - 1, 1)
        x = axis_margin + i * step if count > 1 else axis_margin + plot_w / 2
        return width - x if rtl else x

    def y_at(v):
        return top + plot_h - (v / y_max) * plot_h

    parts = [out]
    # the axis labels sit just outside the grid on the axis side; "end" is the side towards
    # the axis in both directions (the SVG's direction flips what "end" means)
    anchor_y = "end"
    label_x = width - max(left, right) + 8 if rtl else left - 8
    for value, label in y_ticks:
        y = y_at(value)
        parts.append(f'<line {_attrs(x1=left, x2=width - right, y1=f"{y:.1f}", y2=f"{y:.1f}")}'
                     f' stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text {_attrs(x=f"{label_x:.1f}", y=f"{y + 4:.1f}")} '
                     f'text-anchor="{anchor_y}" fill="#333">{escape(label)}</text>')
    # at most about six labels (three on a phone): month names with years are long, Persian
    # ones longer still
    shown = _shown_x_labels(count, most_labels)
    for i, label in enumerate(x_labels):
        if i not in shown:
            continue
        parts.append(f'<text {_attrs(x=f"{x_at(i):.1f}", y=height - bottom + 18)} '
                     f'text-anchor="middle" fill="#333">{escape(label)}</text>')
    for index, label in markers:
        parts.append(_dashed_rule(x_at(index), top, top + plot_h, label, height - 8,
                                  "#6b7280", "4 3", label_colour="#374151"))
    for k, (name, values) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [(x_at(i), y_at(v), v, x_labels[i]) for i, v in enumerate(values)
                  if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _l in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"/>')
        for x, y, _value, label in points:
            parts.append(f'<circle {_attrs(cx=f"{x:.1f}", cy=f"{y:.1f}")} r="3.5" '
                         f'fill="{colour}"><title>{_isolated(name)} · {_isolated(label)}</title>'
                         f'</circle>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value escaped  # nosec B704


def bar_chart(title, desc, bars, rtl=False, width=640, bar_height=22, max_value=1.0,
              label_width=220, threshold=None, compact=False):
    """Horizontal bars: [(label, value, formatted value)], values from 0 to max_value.
    threshold: (value, formatted label) drawn as a dashed line across the bars.
    compact: the phone layout, each name on its own line above its bar."""
    if compact:
        return _stacked_bar_chart(title, desc, bars, rtl, max_value, threshold)
    height = 16 + len(bars) * (bar_height + 8) + (20 if threshold else 0)
    n, out = _open(width, height, title, desc, rtl)
    plot_w = width - label_width - 80
    parts = [out]
    for i, (label, value, shown) in enumerate(bars):
        y = 8 + i * (bar_height + 8)
        length = _length(value, max_value, plot_w)
        if rtl:
            text_x, bar_x, value_x = width - 4, width - label_width - length, \
                width - label_width - length - 6
        else:
            text_x, bar_x, value_x = 4, label_width, label_width + length + 6
        # with direction=rtl, "start" is the right edge: every text starts on the reading side
        parts.append(_labelled_bar(label, shown, 34, (text_x, y + bar_height * 0.7),
                                   (bar_x, y, length, bar_height),
                                   (value_x, y + bar_height * 0.7)))
    return _closed(parts, threshold and (threshold, max_value, plot_w, label_width), width,
                   height, rtl)


def _stacked_bar_chart(title, desc, bars, rtl, max_value, threshold):
    """The phone layout of bar_chart(): a name needs the whole width of a phone, so it sits on
    its own line and its bar runs the full width below it, the value at the bar's end."""
    width, bar_height, name_height, gap = PHONE_WIDTH, 16, 18, 10
    row = name_height + bar_height + gap
    height = 6 + len(bars) * row + (22 if threshold else 0)
    n, out = _open(width, height, title, desc, rtl, PHONE_FONT)
    margin, value_room = 4, 62
    plot_w = width - 2 * margin - value_room
    parts = [out]
    for i, (label, value, shown) in enumerate(bars):
        top = 6 + i * row
        bar_y = top + name_height
        length = _length(value, max_value, plot_w)
        start = width - margin if rtl else margin
        bar_x = width - margin - length if rtl else margin
        value_x = bar_x - 6 if rtl else margin + length + 6
        parts.append(_labelled_bar(label, shown, 44, (start, top + name_height - 5),
                                   (bar_x, bar_y, length, bar_height),
                                   (value_x, bar_y + bar_height - 3)))
    return _closed(parts, threshold and (threshold, max_value, plot_w, margin), width, height,
                   rtl)


def _labelled_bar(label, shown, most, name_at, box, value_at):
    """One bar of a bar chart: its name (shortened, whole in the tooltip), the bar, the value."""
    name_x, name_y = name_at
    value_x, value_y = value_at
    return (f'<text {_attrs(x=f"{name_x:.1f}", y=f"{name_y:.1f}")} text-anchor="start" '
            f'fill="#222">{_isolated(_shortened(label, most))}'
            f'<title>{_isolated(label)}</title></text>'
            + _bar(*box, label, shown)
            + f'<text {_attrs(x=f"{value_x:.1f}", y=f"{value_y:.1f}")} '
              f'text-anchor="start" fill="#222">{escape(shown)}</text>')


def _closed(parts, threshold, width, height, rtl):
    """The chart's threshold line, if any, and its end."""
    if threshold:
        (at, label), max_value, plot_w, left = threshold
        parts.append(_threshold(_threshold_x(at, max_value, plot_w, left, width, rtl), height,
                                label))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value escaped  # nosec B704


def _shortened(label, most):
    return label if len(label) <= most else label[:most - 1] + "…"


def _length(value, max_value, plot_w):
    return max(0.0, min(value or 0, max_value)) / max_value * plot_w


def _bar(x, y, length, height, label, shown):
    return (f'<rect {_attrs(x=f"{x:.1f}", y=y, width=f"{length:.1f}")} '
            f'height="{height}" fill="{PALETTE[0]}" rx="2">'
            f'<title>{_isolated(label)}: {escape(shown)}</title></rect>')


def _threshold_x(value, max_value, plot_w, inset, width, rtl):
    """Where a threshold falls: measured from the bars' start (inset from the reading side)."""
    offset = _length(value, max_value, plot_w)
    return width - inset - offset if rtl else inset + offset


def _threshold(x, height, shown):
    return _dashed_rule(x, 0, height - 18, shown, height - 4, "#b91c1c", "5 3", width="1.5")


def _dashed_rule(x, top, bottom, label, label_y, colour, dash, label_colour=None, width=None):
    """A dashed vertical line from top to bottom with its label centred under it: a bar
    chart's threshold, a line chart's marker of an event."""
    stroke_width = f' stroke-width="{width}"' if width else ""
    return (f'<line {_attrs(x1=f"{x:.1f}", x2=f"{x:.1f}", y1=top, y2=bottom)} '
            f'stroke="{colour}" stroke-dasharray="{dash}"{stroke_width}/>'
            f'<text {_attrs(x=f"{x:.1f}", y=label_y)} text-anchor="middle" '
            f'fill="{label_colour or colour}">{escape(label)}</text>')
