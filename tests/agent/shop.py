"""A customer's WhatsApp conversation with the demo shop, through the whole path: a signed
Twilio webhook into the ASGI app, the drain task, the assistant, and a local Twilio that keeps
what it was asked to send."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.support.polling import eventually
from tests.support.whatsapp import FakeProviders, post_twilio, twilio_channel, twilio_message
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.assistant.models import Interaction
from wabotiq.domain.assistant.service import update_assistant_settings
from wabotiq.domain.catalog.importer import import_into_tenant
from wabotiq.domain.conversations.models import Conversation, Message
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.search.runtime import get_engine

CATALOG: dict[str, Any] = json.loads(
    (resources.files("wabotiq") / "data" / "demo_catalog.json").read_text("utf-8")
)
TILL = "Lipa na M-Pesa, Buy Goods Till 5544332"


async def demo_shop(app: Any) -> tuple[str, uuid.UUID]:
    """A tenant with the demo catalog, indexed, manual payment instructions and a channel."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    made = await create_tenant(
        name="Duka Smart", slug=slug, owner_email=f"owner-{slug}@example.com",
        owner_password="a long enough password",
    )  # fmt: skip
    tenant = TenantRef.of(made.tenant.id)
    await import_into_tenant(tenant=tenant, data=CATALOG)
    with tenant_context(tenant):
        async with in_transaction():
            await update_assistant_settings(payment_instructions=TILL)
    await get_engine().reindex(tenant.id)
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    return tenant.id, channel.id


@dataclass
class Chat:
    """One customer writing to the shop; `say` waits for the replies to one message."""

    client: httpx.AsyncClient
    settings: Settings
    fake: FakeProviders
    tenant_id: str
    channel_id: uuid.UUID
    phone: str = field(default_factory=lambda: "+2547" + uuid.uuid4().hex[:8].translate(
        str.maketrans("abcdef", "123456")))  # fmt: skip
    sids: list[str] = field(default_factory=list)

    def _mine(self) -> list[str]:
        to = f"whatsapp:{self.phone}"
        return [r.text for r in self.fake.sent if r.form.get("To") == to]

    async def send(self, text: str) -> str:
        """Post one message; its MessageSid."""
        form = twilio_message(self.phone, text)
        response = await post_twilio(self.client, self.settings, self.channel_id, form)
        assert response.status_code == 200, response.text
        self.sids.append(form["MessageSid"])
        return form["MessageSid"]

    async def say(self, text: str, *, replies: int = 1) -> list[str]:
        """Post one message and wait for `replies` replies to it."""
        before = len(self._mine())
        await self.send(text)
        await eventually(
            lambda: _true(len(self._mine()) >= before + replies), f"a reply to {text!r}"
        )
        return self._mine()[before:]

    async def conversation(self) -> Conversation:
        with tenant_context(TenantRef.of(self.tenant_id)):
            message = await Message.get(provider_message_id=self.sids[-1])
            return await Conversation.get(id=message.conversation_id)

    async def all_seen(self) -> bool:
        """Every message this customer sent had its turn (answered, or seen in silence)."""
        with tenant_context(TenantRef.of(self.tenant_id)):
            return not await Message.filter(
                provider_message_id__in=self.sids, processed_at__isnull=True
            ).exists()

    async def interactions(self) -> list[Interaction]:
        with tenant_context(TenantRef.of(self.tenant_id)):
            return list(await Interaction.all().order_by("id"))


async def _true(value: bool) -> bool:
    return value


def next_weekday(now: datetime, weekday: int) -> datetime:
    """Midnight of the next `weekday` (Monday is 0) after `now`'s day."""
    days = (weekday - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
