"""What needs doing now, for the staff home: each capability tells, for a role, what waits and where.

A provider is a function that returns Task items; a capability gives it with the role that sees
them (core/capabilities.py). The home page shows the tasks of the staff member's roles,
each a link, the urgent first. Counting must stay cheap: the home page is opened all day.
"""

from dataclasses import dataclass

from koki_site.core import capabilities


@dataclass(frozen=True)
class Task:
    text: str  # "3 new messages", already in the reader's language
    url: str
    urgent: bool = False  # overdue, failed, late: shown first, and marked
    count: int | None = None


def for_roles(roles):
    """The tasks of these roles, urgent first, in the order the capabilities gave them; a task two
    roles share (the last purge, for the DPO and an admin) once."""
    tasks = {}
    for role, provider in capabilities.provided().tasks:
        if role in roles:
            for task in provider():
                tasks.setdefault(task.text, task)
    return sorted(tasks.values(), key=lambda task: not task.urgent)
