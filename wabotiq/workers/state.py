"""What a task may use of its process: the runtime (settings, field cipher, event bus), the
same object the API of that process uses, handed to tasks through Taskiq's dependencies.

    async def notify_task(customer_id: str, runtime: TaskRuntime = TaskiqDepends(task_runtime)):
        phone = runtime.cipher.decrypt(...)
"""

from __future__ import annotations

from typing import Protocol

from taskiq import AsyncBroker, TaskiqDepends, TaskiqState

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.events.bus import EventBus


class TaskRuntime(Protocol):
    """The part of `wabotiq.runtime.Runtime` tasks see (the runtime sits a floor above)."""

    settings: Settings
    cipher: FieldCipher
    bus: EventBus


def task_runtime(state: TaskiqState = TaskiqDepends()) -> TaskRuntime:
    """The process's runtime, for `TaskiqDepends(task_runtime)` in a task's signature."""
    runtime: TaskRuntime | None = getattr(state, "runtime", None)
    if runtime is None:
        raise RuntimeError("no runtime in this worker: the broker was started without one")
    return runtime


def provide_runtime(broker: AsyncBroker, runtime: TaskRuntime, *, owned: bool = False) -> bool:
    """Give `runtime` to the broker's tasks, unless it already has one (the first wins: an API
    process's runtime, handed over before the broker starts, beats a worker's own). `owned`
    says the broker's shutdown closes it. Returns whether it was taken."""
    if getattr(broker.state, "runtime", None) is not None:
        return False
    broker.state.runtime = runtime
    broker.state.runtime_owned = owned
    return True


def withdraw_runtime(broker: AsyncBroker, runtime: TaskRuntime) -> None:
    """Take `runtime` back from the broker's tasks, if it is the one they have."""
    if getattr(broker.state, "runtime", None) is runtime:
        broker.state.runtime = None
        broker.state.runtime_owned = False
