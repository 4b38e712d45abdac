"""Who and when a tool acts for: the tenant, the customer, the clock and the shop's zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from wabotiq.search.engine import SearchEngine


@dataclass(frozen=True, slots=True)
class ToolContext:
    tenant_id: str
    customer_id: uuid.UUID
    now: datetime
    zone: ZoneInfo
    currency: str
    engine: SearchEngine
