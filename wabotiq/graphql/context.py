"""The typed per-request (and per-subscription-event) context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

from wabotiq.auth.principal import Principal

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
    audit_targets: list[str] = field(default_factory=list)
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        if self.principal.tenant is None:
            raise PermissionError("no tenant for this caller")
        return self.principal.tenant.id

    def audit_target(self, global_id: str) -> None:
        """Name an object this mutation touched, for the audit log."""
        self.audit_targets.append(global_id)

    def loader(self, key: str, factory: Any) -> Any:
        """The request's DataLoader for `key`, built on first use."""
        if key not in self.loaders:
            self.loaders[key] = factory()
        return self.loaders[key]


Info = strawberry.Info[Context, None]
