"""Who is calling: a member (user in a tenant), an API key, or nobody yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from wabotiq.core.tenant import TenantRef


class PrincipalKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    tenant: TenantRef | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    label: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def actor_id(self) -> str | None:
        ident = self.user_id or self.api_key_id
        return str(ident) if ident else None


ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS)
