"""Response deadlines and escalation levels, in working days of the submitting organisation.

Days are counted in the organisation's own dates and zone (portal.core.clock): a critique sent
on Saturday 05:00 in Hà Nội was sent on Saturday there, though it is still Friday in UTC.

A deadline is the end of its last working day, local time (stored as naive UTC like every
time). The page says "acknowledge by Tuesday", and people read that as "any time on Tuesday":
keeping the submission's time of day instead would make an item sent on Saturday 05:00 overdue
at Tuesday 05:00, before the branch has worked most of its second day. With the end of the
local day, "overdue" flips at the organisation's midnight, the same moment for the owner, the
submitter and the escalation job. (A reader several hours east of the organisation sees that
moment early on the next day in their own time: it is the same instant.)
"""
from flask import current_app

from portal.core.clock import end_of_local_day, local_today, organisation_zone
from portal.core.workdays import add_working_days, public_holidays, working_days_between

MAX_LEVEL = 3


def due_after(organisation, now, days):
    """The end of the local working day that is `days` working days after the local date of
    now (naive UTC) for this organisation."""
    zone, country = organisation_zone(organisation), organisation.country
    day = add_working_days(local_today(zone, now), days, country, public_holidays(country))
    return end_of_local_day(day, zone)


def deadlines(kind, organisation, now):
    """(acknowledge by, answer by) for an item of this kind the organisation submits now."""
    acknowledge_days, answer_days = current_app.config["FEEDBACK_SLA"][str(kind)]
    return due_after(organisation, now, acknowledge_days), due_after(organisation, now, answer_days)


def working_days_late(due, now, organisation):
    """Working days from the deadline's local date to now's, in the organisation's calendar."""
    zone, country = organisation_zone(organisation), organisation.country
    return working_days_between(local_today(zone, due), local_today(zone, now), country,
                                public_holidays(country))


def level_for_lateness(due, now, organisation):
    """Level 1 once the deadline has passed; each further step after more working days late."""
    if now <= due:
        return 0
    late = working_days_late(due, now, organisation)
    steps = current_app.config["ESCALATION_STEPS"]
    return min(MAX_LEVEL, sum(1 for step in steps if late >= step))
