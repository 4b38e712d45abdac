"""A stored channel → the provider's `Channel`, and the webhook URL it is reached at."""

from __future__ import annotations

import uuid

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.domain.channels.models import ChannelProvider
from wabotiq.domain.channels.service import channel_secrets
from wabotiq.integrations.whatsapp.channel import Channel
from wabotiq.integrations.whatsapp.cloud import CloudChannel
from wabotiq.integrations.whatsapp.twilio import TwilioChannel

# The route of each provider's webhooks (`wabotiq.api.webhooks`).
WEBHOOK_PREFIX: dict[ChannelProvider, str] = {
    ChannelProvider.TWILIO: "/webhooks/twilio",
    ChannelProvider.CLOUD: "/webhooks/whatsapp",
}


def webhook_path(provider: ChannelProvider, channel_id: uuid.UUID) -> str:
    return f"{WEBHOOK_PREFIX[provider]}/{channel_id}"


def webhook_url(record: ChannelRecord, settings: Settings) -> str:
    """Where the provider must send this channel's messages and statuses."""
    return settings.public_base_url + webhook_path(record.provider, record.id)


def build_channel(record: ChannelRecord, *, cipher: FieldCipher, settings: Settings) -> Channel:
    """The provider's channel with its decrypted secrets."""
    secrets = channel_secrets(cipher=cipher, channel=record)
    if record.provider is ChannelProvider.TWILIO:
        return TwilioChannel(
            account_sid=record.config["account_sid"],
            auth_token=secrets["auth_token"],
            sender=record.config["sender"],
            api_base_url=settings.twilio_api_base_url,
            status_callback=webhook_url(record, settings),
        )
    return CloudChannel(
        phone_number_id=record.config["phone_number_id"],
        access_token=secrets["access_token"],
        app_secret=secrets["app_secret"],
        verify_token=secrets["verify_token"],
        graph_base_url=settings.whatsapp_graph_base_url,
        graph_version=record.config["graph_version"],
    )
