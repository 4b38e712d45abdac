"""A task runs in the context of what caused it: the request id of the webhook or request that
kicked it (so its log lines can be followed back) and the tenant it works for."""

from __future__ import annotations

import inspect
import logging

from taskiq import TaskiqMessage, TaskiqMiddleware

from wabotiq.core.logs import request_id_var
from wabotiq.core.tenant import TenantRef, current_tenant, set_tenant

logger = logging.getLogger(__name__)

REQUEST_ID = "request_id"
TENANT_ID = "tenant_id"


class TaskContextMiddleware(TaskiqMiddleware):
    """On kick, copy the current request id and the task's tenant into the message's labels
    (unless it already carries them: a retry or a scheduled send keeps the original); on
    execution, set both context variables from the labels. Each message runs in an asyncio task
    of its own, so what is set here ends with that task."""

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        if REQUEST_ID not in message.labels and (request_id := request_id_var.get()):
            message.labels[REQUEST_ID] = request_id
        if TENANT_ID not in message.labels and (tenant_id := self._tenant_of(message)):
            message.labels[TENANT_ID] = tenant_id
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        request_id_var.set(message.labels.get(REQUEST_ID) or None)
        set_tenant(tenant_ref(message.labels.get(TENANT_ID)))
        return message

    def _tenant_of(self, message: TaskiqMessage) -> str | None:
        """The task's `tenant_id` argument (tasks take ids), else the kicker's tenant."""
        if isinstance(tenant_id := message.kwargs.get(TENANT_ID), str):
            return tenant_id
        task = self.broker.find_task(message.task_name)
        if task is not None and message.args:
            try:
                bound = inspect.signature(task.original_func).bind_partial(*message.args)
            except TypeError:
                bound = None
            if bound is not None and isinstance(value := bound.arguments.get(TENANT_ID), str):
                return value
        tenant = current_tenant()
        return tenant.id if tenant is not None else None


def tenant_ref(tenant_id: object) -> TenantRef | None:
    """The tenant a label names; a malformed one names none (the task then reaches no tenant's
    schema: fail closed)."""
    if not tenant_id:
        return None
    try:
        return TenantRef.of(str(tenant_id))
    except ValueError:
        logger.warning("task label names no valid tenant", extra={"tenant_label": tenant_id})
        return None
