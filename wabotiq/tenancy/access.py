"""Changes to who may do what in a tenant, published like any other domain change.

Every open socket of the tenant follows these events and re-checks its own credentials, so a
revoked key, a removed member, a narrowed role or a suspended tenant takes effect on sockets
opened before the change, not only on later requests.
"""

from __future__ import annotations

from enum import StrEnum

from wabotiq.db.outbox import emit_to

ACCESS = "access"


class AccessChange(StrEnum):
    API_KEY_REVOKED = "api_key_revoked"
    MEMBER_REMOVED = "member_removed"
    MEMBER_ROLE_CHANGED = "member_role_changed"
    ROLE_CHANGED = "role_changed"
    ROLE_DELETED = "role_deleted"
    TENANT_SUSPENDED = "tenant_suspended"
    TENANT_RESUMED = "tenant_resumed"


async def access_changed(*, tenant_id: str, change: AccessChange, subject_id: str) -> None:
    """Record an access change of the tenant in its outbox, in the caller's transaction."""
    await emit_to(
        tenant_id=tenant_id,
        aggregate_type=ACCESS,
        aggregate_id=subject_id,
        event_type=change.value,
        payload={},
    )
