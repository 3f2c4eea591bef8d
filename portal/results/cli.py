"""flask results escalate: raise overdue results up the owning bank's chain.

Run it from a timer with `flask feedback escalate`: idempotent, each level announced once.
"""
from portal.core.jobs import job_commands
from portal.results.services import escalate_overdue

commands = (job_commands("results", "Results the bank commits to.",
                         ("escalate", escalate_overdue, "escalation steps taken")),)
