"""Every area of the platform. Importing this module registers each area's models with storage
(`wabotiq.db.registry`); entry points (app, CLI, workers) import it before opening the database."""

from __future__ import annotations

from wabotiq.auth import models as auth_models
from wabotiq.db import outbox
from wabotiq.domain.assistant import models as assistant_models
from wabotiq.domain.audit import models as audit_models
from wabotiq.domain.bookings import models as bookings_models
from wabotiq.domain.catalog import models as catalog_models
from wabotiq.domain.channels import models as channels_models
from wabotiq.domain.channels import routes as channel_routes
from wabotiq.domain.conversations import models as conversations_models
from wabotiq.domain.customers import models as customers_models
from wabotiq.domain.dead_letters import models as dead_letters_models
from wabotiq.domain.ledger import models as ledger_models
from wabotiq.domain.orders import models as orders_models
from wabotiq.tenancy import models as tenancy_models

AREAS = (
    tenancy_models,
    auth_models,
    outbox,
    audit_models,
    catalog_models,
    customers_models,
    dead_letters_models,
    bookings_models,
    orders_models,
    channels_models,
    channel_routes,
    conversations_models,
    assistant_models,
    ledger_models,
)
