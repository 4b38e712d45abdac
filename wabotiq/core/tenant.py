"""The current tenant, as a contextvar set once at each entry point (request, task, CLI)."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

NO_TENANT_SCHEMA = "no_tenant"
_SCHEMA_RE = re.compile(r"^t_[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class TenantRef:
    """Just enough of a tenant to route queries to its schema."""

    id: str
    schema: str

    @classmethod
    def of(cls, tenant_id: str) -> TenantRef:
        """The reference of a tenant id: its schema follows from the id."""
        return cls(id=tenant_id, schema=schema_for(tenant_id))

    def __post_init__(self) -> None:
        if not _SCHEMA_RE.match(self.schema):
            raise ValueError(f"not a tenant schema name: {self.schema!r}")


_current: contextvars.ContextVar[TenantRef | None] = contextvars.ContextVar(
    "wabotiq_tenant", default=None
)


def current_tenant() -> TenantRef | None:
    return _current.get()


def require_tenant() -> TenantRef:
    tenant = _current.get()
    if tenant is None:
        raise LookupError("no tenant in context")
    return tenant


def current_schema() -> str:
    """The schema a connection acquired now must use; fails closed to an empty schema."""
    tenant = _current.get()
    return tenant.schema if tenant is not None else NO_TENANT_SCHEMA


@contextmanager
def tenant_context(tenant: TenantRef | None) -> Iterator[None]:
    token = _current.set(tenant)
    try:
        yield
    finally:
        _current.reset(token)


def set_tenant(tenant: TenantRef | None) -> contextvars.Token[TenantRef | None]:
    return _current.set(tenant)


def schema_for(tenant_id: str) -> str:
    return f"t_{tenant_id}"


def reset_tenant(token: contextvars.Token[TenantRef | None]) -> None:
    _current.reset(token)
