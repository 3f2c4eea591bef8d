"""Response deadlines and escalation levels, in working days of the submitter's country."""
from datetime import date, datetime

from flask import current_app

from portal.core.workdays import add_working_days, working_days_between

MAX_LEVEL = 3


def holidays(country):
    """Configured public holidays (PORTAL_HOLIDAYS="IR:2026-03-20,VN:2026-02-17,...")."""
    days = set()
    for entry in current_app.config["HOLIDAYS"]:
        code, _sep, day = entry.partition(":")
        if code.strip().upper() == (country or "").upper() and day:
            days.add(date.fromisoformat(day.strip()))
    return days


def deadlines(kind, country, now):
    """(acknowledge by, answer by) for an item of this kind submitted now."""
    acknowledge_days, answer_days = current_app.config["FEEDBACK_SLA"][str(kind)]
    off = holidays(country)
    ack = add_working_days(now.date(), acknowledge_days, country, off)
    answer = add_working_days(now.date(), answer_days, country, off)
    return datetime.combine(ack, now.time()), datetime.combine(answer, now.time())


def working_days_late(due, now, country):
    return working_days_between(due.date(), now.date(), country, holidays(country))


def level_for_lateness(due, now, country):
    """Level 1 once the deadline has passed; each further step after more working days late."""
    if now <= due:
        return 0
    late = working_days_late(due, now, country)
    steps = current_app.config["ESCALATION_STEPS"]
    return min(MAX_LEVEL, sum(1 for step in steps if late >= step))
