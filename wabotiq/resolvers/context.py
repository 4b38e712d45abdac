"""The typed per-request (and per-subscription-event) context."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import strawberry

from wabotiq.auth.principal import Principal
from wabotiq.core.tenant import TenantRef
from wabotiq.resolvers.loaders import Loaders

if TYPE_CHECKING:
    from wabotiq.runtime import Runtime


@dataclass
class Context:
    runtime: Runtime
    principal: Principal
    request_id: str
    loaders: Loaders
    request: Any = None
    response: Any = None
    client_key: str = ""
    denied: bool = False
    audit_targets: dict[str, list[str]] = field(default_factory=dict)
    # For a caller with no tenant yet (accepting an invitation): whose log records it.
    audit_tenant: TenantRef | None = None
    connection_params: dict[str, Any] | None = None

    @property
    def tenant_id(self) -> str:
        if self.principal.tenant is None:
            raise PermissionError("no tenant for this caller")
        return self.principal.tenant.id

    def for_operation(self) -> Context:
        """A copy for one operation: same caller and connection, its own loaders, audit
        targets and denial (a socket runs many operations, at once, on one context)."""
        return replace(
            self, denied=False, audit_targets={}, audit_tenant=None, loaders=self.loaders.fresh()
        )


Info = strawberry.Info[Context, None]


def audit_target(info: Info, global_id: str) -> None:
    """Name (once) an object the mutation field being resolved touched, for that field's audit
    entry (kept per response key, so each field of a multi-field mutation gets its own)."""
    targets = info.context.audit_targets.setdefault(str(info.path.key), [])
    if global_id not in targets:
        targets.append(global_id)
