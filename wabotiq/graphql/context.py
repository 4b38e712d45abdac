"""The typed per-request (and per-subscription-event) context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

from wabotiq.auth.principal import Principal
from wabotiq.tenancy.context import TenantRef

if TYPE_CHECKING:
    from wabotiq.runtime import Runtime


@dataclass
class Context:
    runtime: Runtime
    principal: Principal
    request_id: str
    request: Any = None
    response: Any = None
    client_key: str = ""
    denied: bool = False
    audit_targets: dict[str, list[str]] = field(default_factory=dict)
    # For a caller with no tenant yet (accepting an invitation): whose log records it.
    audit_tenant: TenantRef | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    connection_params: dict[str, Any] | None = None

    @property
    def tenant_id(self) -> str:
        if self.principal.tenant is None:
            raise PermissionError("no tenant for this caller")
        return self.principal.tenant.id

    def audit_target(self, global_id: str, *, field: str) -> None:
        """Name an object the mutation field `field` (its response key, `info.path.key`)
        touched, for that field's audit entry."""
        self.audit_targets.setdefault(field, []).append(global_id)

    def loader(self, key: str, factory: Any) -> Any:
        """The request's DataLoader for `key`, built on first use."""
        if key not in self.loaders:
            self.loaders[key] = factory()
        return self.loaders[key]


Info = strawberry.Info[Context, None]
