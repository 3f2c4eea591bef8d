"""The months the turnover dashboard adds up: one month, or a calendar quarter of three."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.turnover.models import ReportingPeriod


def previous_month(month):
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1,
                                                                      1)


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """The months of one country the dashboard adds up: one month, or a calendar quarter."""

    country: str
    start: date
    length: int = 1  # 1 (a month) or 3 (a quarter)

    @classmethod
    def of_period(cls, period):
        return cls(period.country, period.month, 1)

    @classmethod
    def quarter_of(cls, country, month):
        return cls(country, date(month.year, (month.month - 1) // 3 * 3 + 1, 1), 3)

    @property
    def months(self):
        month, result = self.start, []
        for _step in range(self.length):
            result.append(month)
            month = next_month(month)
        return result

    @property
    def last(self):
        return self.months[-1]

    @property
    def key(self):
        if self.length == 1:
            return f"{self.country}-{self.start:%Y-%m}"
        return f"{self.country}-{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def previous(self):
        month = self.start
        for _step in range(self.length):
            month = previous_month(month)
        return Window(self.country, month, self.length)

    def period_ids(self):
        """A subquery of the periods in the window (empty when none were opened)."""
        return sa.select(ReportingPeriod.id).where(ReportingPeriod.country == self.country,
                                                   ReportingPeriod.month.in_(self.months))


def parse_window(text):
    """'IR-2025-08' (a month) or 'IR-2025-Q3' (a quarter) -> Window, or None."""
    text = (text or "").strip().upper()
    if len(text) < 9 or text[2] != "-" or not text[:2].isalpha():
        return None
    country, rest = text[:2], text[3:]
    if rest[5:6] == "Q" and rest[6:] in {"1", "2", "3", "4"} and rest[:4].isdigit():
        return Window(country, date(int(rest[:4]), (int(rest[6:]) - 1) * 3 + 1, 1), 3)
    month = _parse_month(rest)
    return Window(country, month, 1) if month and len(rest) == 7 else None


def as_window(period_or_window):
    if isinstance(period_or_window, Window):
        return period_or_window
    return Window.of_period(period_or_window)


def _parse_month(text):
    try:
        year, month = int(text[:4]), int(text[5:7])
    except ValueError:
        return None
    return date(year, month, 1) if text[4] == "-" and 1 <= month <= 12 and 1900 < year < 2200 \
        else None
