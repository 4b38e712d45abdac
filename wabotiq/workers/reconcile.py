"""The outbound reconciliation, every minute: rows left `sending` by a worker that died between
claiming them and hearing the provider are adopted, sent once more, or shown to a person
(`wabotiq.integrations.whatsapp.reconcile`). The scheduler kicks one platform task; it visits
only the tenants whose cheap index probe finds a stale row, and settles each in one per-tenant
task, so one tenant's failure is retried and dead-lettered in that tenant alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wabotiq.core.settings import get_settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import sending
from wabotiq.integrations.whatsapp.reconcile import reconcile_sending
from wabotiq.tenancy.service import active_tenant_ids
from wabotiq.workers.declare import reliable_task

if TYPE_CHECKING:
    from wabotiq.workers.messaging import Messaging


def _messaging() -> Messaging:
    # Imported here: messaging loads the agent, and the scheduler imports this module only
    # for the schedule label (seconds of start-up it does not need).
    from wabotiq.workers.messaging import current

    return current()


@reliable_task(
    "wabotiq.conversations.reconcile_sending",
    max_retries=1,  # the next minute's run is its retry
    schedule=[{"cron": "* * * * *"}],
)
async def reconcile_sending_task() -> int:
    """Kick a settling task for each tenant with stale `sending` rows; safe to run twice."""
    stale_s = get_settings().outbound_sending_stale_s
    kicked = 0
    for tenant_id in await tenants_with_stale_sending(stale_s=stale_s):
        await reconcile_tenant_task.kiq(tenant_id)
        kicked += 1
    return kicked


@reliable_task("wabotiq.conversations.reconcile_tenant")
async def reconcile_tenant_task(tenant_id: str) -> int:
    """Settle one tenant's stale `sending` rows; safe to run twice or concurrently (every
    change is conditional on the row still being unsettled)."""
    return await reconcile_tenant(tenant_id=tenant_id, messaging=_messaging())


async def tenants_with_stale_sending(*, stale_s: float) -> list[str]:
    """The active tenants with a stale row (one index probe each)."""
    found = []
    for tenant_id in await active_tenant_ids():
        with tenant_context(TenantRef.of(tenant_id)):
            if await sending.any_stale(stale_s=stale_s):
                found.append(tenant_id)
    return found


async def reconcile_tenant(*, tenant_id: str, messaging: Messaging) -> int:
    """Settle the tenant's stale rows; how many were settled."""
    with tenant_context(TenantRef.of(tenant_id)):
        async with messaging.client() as client:
            reconciled = await reconcile_sending(delivery=messaging.delivery(client))
    return reconciled.settled
