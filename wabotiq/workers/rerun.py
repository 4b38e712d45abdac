"""Run a dead letter's task again: the kicker `retry_dead_letter` is handed."""

from __future__ import annotations

from taskiq import AsyncBroker
from taskiq.kicker import AsyncKicker

from wabotiq.domain.dead_letters.models import DeadLetterBase
from wabotiq.domain.dead_letters.service import Kick
from wabotiq.workers.broker import broker as app_broker
from wabotiq.workers.context import TENANT_ID
from wabotiq.workers.dead_letters import RUN_LABELS


def rerun_with(broker: AsyncBroker) -> Kick:
    """A kicker sending a letter's task through `broker`: its original arguments and labels
    (timeout, attempts), a fresh task id and attempt count, the letter's tenant, and the
    request id of whoever asked (taken from the context when it is sent)."""

    async def kick(letter: DeadLetterBase) -> str:
        labels = {k: v for k, v in letter.labels.items() if k not in RUN_LABELS}
        if letter.tenant_id:
            labels[TENANT_ID] = letter.tenant_id
        kicker: AsyncKicker[..., object] = AsyncKicker(letter.task_name, broker, labels)
        sent = await kicker.kiq(*letter.args, **letter.kwargs)
        return sent.task_id

    return kick


kick_again = rerun_with(app_broker)
