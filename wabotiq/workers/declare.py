"""How a task says it is retried: `@reliable_task("wabotiq.area.thing")` in place of
`@broker.task(...)`, with the house defaults from settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taskiq import AsyncBroker

from wabotiq.core.settings import get_settings
from wabotiq.workers.broker import broker as app_broker


def reliable_task(
    name: str,
    *,
    max_retries: int | None = None,
    timeout_s: float | None = None,
    delay_s: float | None = None,
    broker: AsyncBroker | None = None,
    **labels: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """A task retried on error with backoff (first delay `delay_s`, default
    TASK_RETRY_DELAY_S), at most `max_retries` attempts in all (TASK_MAX_RETRIES), each cut off
    after `timeout_s` (TASK_TIMEOUT_S), then kept as a dead letter. It must be safe to run
    twice: a retry or a redelivery may repeat work a failed attempt had done."""
    settings = get_settings()
    timeout = timeout_s or settings.task_timeout_s
    if timeout >= settings.task_idle_timeout_s:
        # Redis would hand the message to another worker while this one still runs it.
        raise ValueError(
            f"task {name}: timeout {timeout:g} s must stay below TASK_IDLE_TIMEOUT_S"
            f" ({settings.task_idle_timeout_s:g} s)"
        )
    if delay_s is not None:
        labels["delay"] = delay_s
    return (broker or app_broker).task(
        task_name=name,
        retry_on_error=True,
        max_retries=max_retries or settings.task_max_retries,
        timeout=timeout,
        **labels,
    )
