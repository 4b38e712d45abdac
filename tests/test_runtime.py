"""A worker builds the API's runtime at start-up (settings, field cipher, event bus), its tasks
receive it through Taskiq's dependencies, and its shutdown closes it; a process that already
has a runtime (the API's, in `wabotiq up`) keeps that one."""

from __future__ import annotations

from taskiq import TaskiqDepends

from tests.support.polling import DEADLINE_S
from wabotiq.core.settings import Settings
from wabotiq.runtime import Runtime, serve_worker_runtime
from wabotiq.workers import messaging
from wabotiq.workers.broker import make_broker
from wabotiq.workers.state import TaskRuntime, provide_runtime, task_runtime

PHONE = "+254700111222"


async def test_a_worker_builds_a_runtime_its_tasks_use_and_closes_it(settings: Settings):
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    serve_worker_runtime(broker, settings=lambda: settings)
    cipher = Runtime.from_settings(settings).cipher  # another object, the same keys

    @broker.task(task_name="test.runtime.reveal")
    async def reveal_task(token: str, runtime: TaskRuntime = TaskiqDepends(task_runtime)) -> str:
        return runtime.cipher.decrypt(token)

    await broker.startup()  # the in-memory broker runs the worker start-up hooks
    built = broker.state.runtime
    answering = messaging.current()  # what conversation tasks answer with
    try:
        sent = await reveal_task.kiq(cipher.encrypt(PHONE))
        result = await sent.wait_result(timeout=DEADLINE_S)
    finally:
        await broker.shutdown()
    assert result.return_value == PHONE
    assert isinstance(built, Runtime) and built.settings is settings
    assert answering is built.messaging
    assert broker.state.runtime is None  # withdrawn and closed
    assert built.messaging not in messaging._installed


async def test_a_process_runtime_handed_over_first_is_the_one_tasks_get(settings: Settings):
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    serve_worker_runtime(broker, settings=lambda: settings)
    api_runtime = Runtime.from_settings(settings)

    @broker.task(task_name="test.runtime.which")
    async def which_task(runtime: TaskRuntime = TaskiqDepends(task_runtime)) -> int:
        return id(runtime)

    assert provide_runtime(broker, api_runtime)
    await broker.startup()
    try:
        result = await (await which_task.kiq()).wait_result(timeout=DEADLINE_S)
    finally:
        await broker.shutdown()
    assert result.return_value == id(api_runtime)
    assert broker.state.runtime is api_runtime  # not the worker's to close
    await api_runtime.close()
