"""flask meetings remind: tell owners and recorders of overdue commitments.

Run it once a day from a timer: each commitment is reminded once per due date, so running it
more often changes nothing; moving the due date earns a new reminder when that date passes.
"""
from portal.core.jobs import job_commands
from portal.meetings.services import remind_overdue

commands = (job_commands("meetings", "Meetings: commitments and their reminders.",
                         ("remind", remind_overdue, "commitments reminded")),)
