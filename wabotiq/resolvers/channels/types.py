"""GraphQL types of channels. Secrets go in and never come out: no field returns them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wabotiq.domain.channels.models import Channel as ChannelModel
from wabotiq.domain.channels.models import ChannelProvider as ProviderModel
from wabotiq.domain.channels.models import ChannelStatus
from wabotiq.domain.channels.service import Template
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relay import to_global_id


@strawberry.enum(description="Who carries a channel's messages.")
class ChannelProvider(Enum):
    TWILIO = strawberry.enum_value("twilio", description="Twilio's WhatsApp API.")
    CLOUD = strawberry.enum_value("cloud", description="Meta's WhatsApp Cloud API, direct.")


@strawberry.type(description="An approved message template, for use outside the 24-hour window.")
class ChannelTemplate:
    name: str = strawberry.field(description="The name we send it by (Meta's template name).")
    content_sid: str = strawberry.field(description="Twilio's Content SID (HX…); empty on Meta.")
    language: str = strawberry.field(description="Meta's language code, e.g. sw; empty on Twilio.")


@strawberry.type(description="A WhatsApp number of the business; its secrets are never shown.")
class Channel:
    id: strawberry.ID = strawberry.field(description="Global ID of the channel.")
    name: str = strawberry.field(description="What the business calls it.")
    provider: ChannelProvider = strawberry.field(description="Who carries its messages.")
    active: bool = strawberry.field(description="False once disabled: webhooks are refused.")
    webhook_url: str = strawberry.field(
        description="Where the provider must send messages and statuses (set it there)."
    )
    account_sid: str | None = strawberry.field(description="Twilio's account SID (AC…).")
    sender: str | None = strawberry.field(description="Twilio's sender, e.g. whatsapp:+254…")
    phone_number_id: str | None = strawberry.field(description="Meta's phone number id.")
    graph_version: str | None = strawberry.field(description="Meta's Graph API version.")
    templates: list[ChannelTemplate] = strawberry.field(description="Its approved templates.")
    created_at: datetime = strawberry.field(description="When it was connected.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_model(cls, channel: ChannelModel, *, webhook_url: str) -> Channel:
        config = channel.config
        return cls(
            id=to_global_id("Channel", channel.id),
            name=channel.name,
            provider=ChannelProvider(channel.provider.value),
            active=channel.status is ChannelStatus.ACTIVE,
            webhook_url=webhook_url,
            account_sid=config.get("account_sid"),
            sender=config.get("sender"),
            phone_number_id=config.get("phone_number_id"),
            graph_version=config.get("graph_version"),
            templates=[
                ChannelTemplate(name=name, content_sid=t["content_sid"], language=t["language"])
                for name, t in sorted(channel.templates.items())
            ],
            created_at=channel.created_at,
            updated_at=channel.updated_at,
        )


@strawberry.input(description="An approved template of the channel.")
class ChannelTemplateInput:
    name: str = strawberry.field(description="Meta's template name, or a name of your choice.")
    content_sid: str = strawberry.field(default="", description="Twilio's Content SID (HX…).")
    language: str = strawberry.field(default="", description="Meta's language code, e.g. sw.")

    def to_domain(self) -> Template:
        return Template(name=self.name, content_sid=self.content_sid, language=self.language)


@strawberry.input(description="A WhatsApp number to connect; give the provider's fields.")
class CreateChannelInput:
    provider: ChannelProvider = strawberry.field(description="Twilio or Meta's Cloud API.")
    name: str = strawberry.field(default="", description="What you call it.")
    account_sid: str | None = strawberry.field(default=None, description="Twilio: AC…")
    auth_token: str | None = strawberry.field(default=None, description="Twilio: auth token.")
    sender: str | None = strawberry.field(
        default=None, description="Twilio: the WhatsApp sender, e.g. whatsapp:+254…"
    )
    phone_number_id: str | None = strawberry.field(
        default=None, description="Cloud API: the phone number id."
    )
    access_token: str | None = strawberry.field(default=None, description="Cloud API: token.")
    app_secret: str | None = strawberry.field(
        default=None, description="Cloud API: the app secret that signs webhooks."
    )
    verify_token: str | None = strawberry.field(
        default=None, description="Cloud API: the token of the subscription handshake."
    )
    graph_version: str | None = strawberry.field(
        default=None, description="Cloud API: the Graph API version (default 21.0)."
    )
    templates: list[ChannelTemplateInput] = strawberry.field(
        default_factory=list, description="Approved templates."
    )

    def provider_model(self) -> ProviderModel:
        return ProviderModel[self.provider.name]


@strawberry.input(description="Changes to a channel; omitted fields (and secrets) stay.")
class UpdateChannelInput:
    id: strawberry.ID = strawberry.field(description="The channel to change.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    auth_token: str | None = strawberry.field(default=None, description="Twilio: new token.")
    sender: str | None = strawberry.field(default=None, description="Twilio: a new sender.")
    access_token: str | None = strawberry.field(default=None, description="Cloud: new token.")
    app_secret: str | None = strawberry.field(default=None, description="Cloud: new secret.")
    verify_token: str | None = strawberry.field(default=None, description="Cloud: new token.")
    templates: list[ChannelTemplateInput] | None = strawberry.field(
        default=None, description="The approved templates, replacing the old."
    )
    active: bool | None = strawberry.field(
        default=None, description="Turn the channel back on (true) or off (false)."
    )


@strawberry.input(description="The channel to act on.")
class ChannelIdInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the channel.")


@strawberry.type(description="The result of creating, changing or disabling a channel.")
class ChannelPayload:
    channel: Channel | None = strawberry.field(description="The channel, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="What the provider said when asked about the channel.")
class TestChannelPayload:
    ok: bool = strawberry.field(description="Whether the provider accepted the credentials.")
    provider_name: str | None = strawberry.field(
        description="What the provider calls the account or number."
    )
    detail: str | None = strawberry.field(
        description="The account's status (Twilio) or the display number (Meta)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the check failed (PROVIDER_REFUSED, PROVIDER_UNREACHABLE, NOT_FOUND)."
    )
