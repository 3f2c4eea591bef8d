"""The server-rendered charts on a phone: a layout drawn for a phone's width whose labels print
at 11 px or more once the chart is scaled to the 336 px a 360 px phone leaves it (a 640-unit
chart printed its 12-unit labels at 6 px), fewer labels, names above their bars."""
import re

from portal.core import charts

MONTHS = ["فروردین ۱۴۰۴", "اردیبهشت ۱۴۰۴", "خرداد ۱۴۰۴", "تیر ۱۴۰۴", "مرداد ۱۴۰۴",
          "شهریور ۱۴۰۴", "مهر ۱۴۰۴", "آبان ۱۴۰۴", "آذر ۱۴۰۴", "دی ۱۴۰۴", "بهمن ۱۴۰۴",
          "اسفند ۱۴۰۴"]
TICKS = [(v, f"{int(v * 100)}%") for v in (0, 0.25, 0.5, 0.75, 1.0)]
NARROWEST_PX = 336  # a 360 px phone less the page's margins


def _printed_px(svg, width_px=NARROWEST_PX):
    units = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
    size = float(re.search(r'font-size="([0-9.]+)"', svg).group(1))
    return size * width_px / units


def _texts(svg):
    """(x, y, text) of each label drawn directly on the chart."""
    return [(float(x), float(y), re.sub(r"<title>.*?</title>", "", text))
            for x, y, text in re.findall(r'<text x="([0-9.-]+)" y="([0-9.-]+)"[^>]*>(.*?)</text>',
                                         svg)]


def _line(compact, rtl=False):
    return str(charts.line_chart("Trend", "desc", MONTHS, [("share", [0.4] * 12)], TICKS,
                                 rtl=rtl, compact=compact))


def test_the_phone_layout_prints_its_labels_at_eleven_pixels_or_more():
    assert _printed_px(_line(compact=False)) < 7  # what a phone showed before
    assert _printed_px(_line(compact=True)) >= 11
    bars = str(charts.bar_chart("Shares", "desc", [("اتحادیه فرش", 0.45, "45%")],
                                compact=True))
    assert _printed_px(bars) >= 11


def test_the_phone_trend_names_three_months_the_first_and_the_latest_among_them():
    shown = [t for _x, _y, t in _texts(_line(compact=True)) if t in MONTHS]
    assert shown == [MONTHS[0], MONTHS[6], MONTHS[-1]]
    ticks = [t for _x, _y, t in _texts(_line(compact=True)) if t.endswith("%")]
    assert ticks == ["0%", "50%", "100%"]
    # the wide chart keeps six months, evenly spread, the latest last
    wide = [t for _x, _y, t in _texts(_line(compact=False)) if t in MONTHS]
    assert len(wide) == 6 and wide[0] == MONTHS[0] and wide[-1] == MONTHS[-1]


def test_in_persian_the_oldest_month_of_the_phone_trend_is_on_the_right():
    labels = {t: x for x, _y, t in _texts(_line(compact=True, rtl=True)) if t in MONTHS}
    assert labels[MONTHS[0]] > labels[MONTHS[6]] > labels[MONTHS[-1]]
    assert all(0 < x < charts.PHONE_WIDTH for x in labels.values())


def test_on_a_phone_each_name_sits_above_its_bar_and_the_bars_start_on_the_reading_side():
    long_name = "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی ایران و شهرستان‌ها"
    bars = [("اتحادیه فرش", 0.45, "۴۵٪"), (long_name, 0.9, "۹۰٪")]
    svg = str(charts.bar_chart("Shares", "desc", bars, rtl=True, compact=True,
                               threshold=(0.5, "۵۰٪")))
    rects = [(float(x), float(y), float(w)) for x, y, w in
             re.findall(r'<rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)"', svg)]
    names = [(x, y, t) for x, y, t in _texts(svg) if "اتحادیه" in t]
    assert len(rects) == len(names) == 2
    for (_nx, name_y, _t), (bar_x, bar_y, width) in zip(names, rects, strict=True):
        assert name_y <= bar_y  # the name's baseline is above the bar
        assert abs(bar_x + width - (charts.PHONE_WIDTH - 4)) < 0.1  # grows from the right
    assert rects[1][2] == 2 * rects[0][2]  # 90% twice as long as 45%
    # a long name is shortened on the chart and whole in its tooltip
    assert names[1][2].endswith("…\u2069") and f"<title>\u2068{long_name}\u2069" in svg
    assert "۵۰٪" in svg  # the threshold


def test_the_wide_layout_is_what_it_was():
    svg = str(charts.bar_chart("Shares", "desc", [("Union", 0.5, "50%")], max_value=1.0))
    assert 'viewBox="0 0 640 ' in svg and 'font-size="12"' in svg
    assert re.search(r'<rect x="220.0" y="8" width="170.0"', svg)
