"""The Taskiq scheduler: one per deployment; sends the tasks labelled with a `schedule` and,
with Redis, the delayed retries (poll it every SCHEDULER_UPDATE_INTERVAL_S)."""

from __future__ import annotations

from taskiq import AsyncBroker, ScheduleSource, TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

import wabotiq.workers.reconcile  # noqa: F401 - registers the labelled tasks
import wabotiq.workers.tasks  # noqa: F401 - registers the labelled tasks
from wabotiq.workers.broker import broker, retry_source
from wabotiq.workers.delays import RetrySchedules


def make_scheduler(broker: AsyncBroker) -> TaskiqScheduler:
    sources: list[ScheduleSource] = [LabelScheduleSource(broker)]
    retries = retry_source(broker)
    if isinstance(retries, RetrySchedules):  # in process, retries send themselves
        sources.append(retries)
    return TaskiqScheduler(broker, sources=sources)


scheduler = make_scheduler(broker)
