"""Form fields that read dates, times and numbers as the reader writes them.

They are plain text inputs: the server parses them (portal.i18n.parsing), so a form works
without JavaScript, in any digits and in the reader's calendar. A refused value keeps the text
the person typed and says, in their language and digits, how it was read. What the field shows
back is written the same way: `۱۴۰۴/۰۵/۲۱` for a Persian reader, `21/08/2568` for a Thai one.
"""
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field
from wtforms import validators as wtf_validators
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput, html_params

from portal.i18n import (
    current_language,
    native_digits,
    number_filter,
    parsing,
    reader_calendar,
    select_timezone,
)
from portal.i18n.formatting import format_number, to_persian_digits

# the day the portal's first consultation session was held: the example in placeholders
EXAMPLE_DAY = date(2025, 8, 12)
# larger than any figure the portal keeps (a rial turnover fits in 10^15), and within 64 bits
LARGEST = Decimal(10) ** 17


def reader_digits(text):
    """ASCII digits in the reader's own digits (Persian digits on Persian pages)."""
    return to_persian_digits(text) if native_digits() else str(text)


def unreadable_message(error):
    """The translated message of a parsing.Unreadable, its values in the reader's digits."""
    values = {key: reader_digits(value) for key, value in error.values.items()}
    return str(error.message) % values if values else str(error.message)


class _LocalField(Field):
    """A text input whose text is parsed by `read(text)` and shown back by `show(value)`."""

    widget = TextInput()

    def read(self, text):
        raise NotImplementedError

    def show(self, value):
        raise NotImplementedError

    def input_attributes(self):
        return {}

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            self.data = self.read(valuelist[0])
        except parsing.Unreadable as error:
            raise ValueError(unreadable_message(error)) from None

    def pre_validate(self, form):
        # a value that could not be read has said why; "This field is required" would hide it
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)

    def __call__(self, **kwargs):
        return super().__call__(**{**self.input_attributes(), **kwargs})


class LocalDateField(_LocalField):
    """A date in the reader's calendar (Solar Hijri, Buddhist era or Gregorian)."""

    def read(self, text):
        return parsing.parse_date(text, reader_calendar(), current_language())

    def show(self, value):
        return reader_digits(
            parsing.format_date_input(value, reader_calendar(), current_language()))

    def input_attributes(self):
        return date_input_attributes()


def date_input_attributes():
    """What a date input carries: an example in the reader's calendar and digits, and what the
    date picker (static/js/datepicker.js) needs to show that calendar."""
    calendar, language = reader_calendar(), current_language()
    return {
        "autocomplete": "off",
        # "e.g.": an example alone in an empty box reads like a value already there
        "placeholder": _("e.g. %(example)s", example=reader_digits(
            parsing.format_date_input(EXAMPLE_DAY, calendar, language))),
        "data-date-input": "",
        "data-calendar": calendar,
        "data-format": parsing.date_format(calendar, language),
        "data-digits": "fa" if native_digits() else "latn",
        "data-picker-label": str(_l("Choose a date")),
        "data-picker-today": str(_l("Today")),
        "data-picker-previous": str(_l("Previous month")),
        "data-picker-next": str(_l("Next month")),
        "data-picker-close": str(_l("Close the calendar")),
    }


# --- dates typed in a list's filters (GET forms) ---------------------------------------------

def filter_day(args, name):
    """The day typed in a list's filter, in the reader's calendar; None if empty or unreadable
    (the filter page says why through filter_day_error)."""
    try:
        return parsing.parse_date(args.get(name, ""), reader_calendar(), current_language())
    except parsing.Unreadable:
        return None


def filter_day_error(name):
    """The translated reason a filter's date was not read, or None."""
    try:
        parsing.parse_date(request.args.get(name, ""), reader_calendar(), current_language())
    except parsing.Unreadable as error:
        return unreadable_message(error)
    return None


def reader_day_bounds(day):
    """The first moment of this day and of the next, in the reader's zone, as naive UTC (how
    the database keeps times): "created on 12 August" means the reader's 12 August."""
    zone = ZoneInfo(select_timezone())
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return (start.astimezone(UTC).replace(tzinfo=None),
            end.astimezone(UTC).replace(tzinfo=None))


def within_filter_days(column, args, start="from", end="to"):
    """The conditions that keep the rows whose column (a time, naive UTC) falls on the days of
    a list's filter (?from= to ?to=, both included) as the reader counts days: their calendar
    and time zone. An empty or unreadable day limits nothing (filter_day)."""
    first, last = filter_day(args, start), filter_day(args, end)
    return ([column >= reader_day_bounds(first)[0]] if first else []) + \
        ([column < reader_day_bounds(last)[1]] if last else [])


def _date_input_html():
    return Markup(html_params(**date_input_attributes()))  # noqa: S704 - html_params escapes every value; the names are ours # nosec B704


def init_app(app):
    app.jinja_env.globals.update(date_input_attributes=_date_input_html,
                                 filter_day_error=filter_day_error)


class LocalTimeField(_LocalField):
    """A time of day, 24-hour, in any digits."""

    def read(self, text):
        return parsing.parse_time(text)

    def show(self, value):
        return reader_digits(value.strftime("%H:%M"))

    def input_attributes(self):
        return {"autocomplete": "off",
                "placeholder": _("e.g. %(example)s", example=reader_digits("14:30"))}


class _LocalNumberField(_LocalField):
    inputmode = "decimal"

    def convert(self, number):
        return number

    def read(self, text):
        number = parsing.parse_number(text, current_language())
        if number is None:
            return None
        if abs(number) >= LARGEST:
            raise parsing.Unreadable(_l("“%(text)s” is larger than any figure the portal "
                                        "keeps."), text=parsing.ascii_digits(text))
        return self.convert(number)

    def show(self, value):
        return format_number(value, current_language(), native=native_digits(),
                             decimals=None if isinstance(value, int) else _places(value))

    def input_attributes(self):
        return {"inputmode": self.inputmode, "autocomplete": "off"}


def _places(value):
    """How many decimals to show back, so that saving the form again changes nothing."""
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class LocalIntegerField(_LocalNumberField):
    inputmode = "numeric"

    def convert(self, number):
        if number != number.to_integral_value():
            raise parsing.Unreadable(_l("“%(text)s” is not a whole number."), text=str(number))
        return int(number)


class LocalDecimalField(_LocalNumberField):
    """Amounts and rates: kept exactly as typed (a Decimal)."""


class NumberRange(wtf_validators.NumberRange):
    """WTForms' NumberRange, with its bounds printed the reader's way (۱۰٬۰۰۰٬۰۰۰)."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError:
            low, high = self._resolve(self.min), self._resolve(self.max)
            data = field.data
            if self.message is not None or (data is not None and math.isnan(data)):
                raise
            values = {"min": number_filter(low), "max": number_filter(high)}
            if high is None:
                message = field.gettext("Number must be at least %(min)s.")
            elif low is None:
                message = field.gettext("Number must be at most %(max)s.")
            else:
                message = field.gettext("Number must be between %(min)s and %(max)s.")
            raise ValidationError(message % values) from None
