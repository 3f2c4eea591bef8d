"""flask feedback escalate: raise overdue items a level and tell whoever must know.

Run it from a timer (every hour is plenty): escalation is idempotent, each level is announced
once per item.
"""
from portal.core.jobs import job_commands
from portal.feedback.escalation import escalate_overdue

commands = (job_commands("feedback", "Feedback deadlines and escalation.",
                         ("escalate", escalate_overdue, "escalation steps taken")),)
