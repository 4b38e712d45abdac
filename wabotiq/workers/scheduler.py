"""The Taskiq scheduler: one per deployment; sends the tasks labelled with a `schedule`."""

from __future__ import annotations

from taskiq import TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

import wabotiq.workers.tasks  # noqa: F401 - registers the labelled tasks
from wabotiq.workers.broker import broker

scheduler = TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])
