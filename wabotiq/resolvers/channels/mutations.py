"""Mutations of channels: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.core.errors import DomainError
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.channels import service
from wabotiq.domain.channels.models import Channel as ChannelModel
from wabotiq.graphql.errors import mutate, user_error
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.integrations.whatsapp.checks import check_channel
from wabotiq.integrations.whatsapp.registry import webhook_url
from wabotiq.resolvers.channels.queries import MANAGE
from wabotiq.resolvers.channels.types import (
    Channel,
    ChannelIdInput,
    ChannelPayload,
    CreateChannelInput,
    TestChannelPayload,
    UpdateChannelInput,
)
from wabotiq.resolvers.context import Info, audit_target


def _payload(info: Info, channel: ChannelModel | None, errors: list) -> ChannelPayload:
    if channel is None:
        return ChannelPayload(channel=None, user_errors=errors)
    url = webhook_url(channel, info.context.runtime.settings)
    return ChannelPayload(channel=Channel.from_model(channel, webhook_url=url), user_errors=[])


@strawberry.type
class ChannelsMutations:
    @strawberry.mutation(
        description="Connect a WhatsApp number; point the provider at its webhookUrl.",
        directives=MANAGE,
    )
    async def create_channel(
        self, info: Info, input: Annotated[CreateChannelInput, INPUT]
    ) -> ChannelPayload:
        ctx = info.context
        channel, errors = await mutate(
            lambda: service.create_channel(
                cipher=ctx.runtime.cipher,
                tenant_id=ctx.tenant_id,
                provider=input.provider_model(),
                name=input.name,
                secrets={
                    "auth_token": input.auth_token,
                    "access_token": input.access_token,
                    "app_secret": input.app_secret,
                    "verify_token": input.verify_token,
                },
                account_sid=input.account_sid,
                sender=input.sender,
                phone_number_id=input.phone_number_id,
                graph_version=input.graph_version,
                templates=[t.to_domain() for t in input.templates],
            )
        )
        if channel is not None:
            audit_target(info, to_global_id("Channel", channel.id))
        return _payload(info, channel, errors)

    @strawberry.mutation(description="Change a channel; secrets left out stay.", directives=MANAGE)
    async def update_channel(
        self, info: Info, input: Annotated[UpdateChannelInput, INPUT]
    ) -> ChannelPayload:
        audit_target(info, input.id)
        given = {
            "auth_token": input.auth_token,
            "access_token": input.access_token,
            "app_secret": input.app_secret,
            "verify_token": input.verify_token,
        }
        channel, errors = await mutate(
            lambda: service.update_channel(
                cipher=info.context.runtime.cipher,
                channel_id=uuid_from_global_id(input.id, "Channel"),
                name=input.name,
                secrets={key: value for key, value in given.items() if value is not None},
                sender=input.sender,
                templates=(
                    None if input.templates is None else [t.to_domain() for t in input.templates]
                ),
                active=input.active,
            )
        )
        return _payload(info, channel, errors)

    @strawberry.mutation(
        description="Stop a channel: its webhooks are refused and nothing is sent through it.",
        directives=MANAGE,
    )
    async def disable_channel(
        self, info: Info, input: Annotated[ChannelIdInput, INPUT]
    ) -> ChannelPayload:
        audit_target(info, input.id)
        channel, errors = await mutate(
            lambda: service.disable_channel(channel_id=uuid_from_global_id(input.id, "Channel"))
        )
        return _payload(info, channel, errors)

    @strawberry.mutation(
        description="Ask the provider whether the channel's credentials work (a real call).",
        directives=MANAGE,
    )
    async def test_channel(
        self, info: Info, input: Annotated[ChannelIdInput, INPUT]
    ) -> TestChannelPayload:
        audit_target(info, input.id)
        runtime = info.context.runtime
        channel, errors = await mutate(
            lambda: service.get_channel(channel_id=uuid_from_global_id(input.id, "Channel"))
        )
        if channel is None:
            return TestChannelPayload(ok=False, provider_name=None, detail=None, user_errors=errors)
        try:
            async with runtime.messaging.client() as client:
                checked = await check_channel(
                    channel, cipher=runtime.cipher, settings=runtime.settings, client=client
                )
        except DomainError as exc:
            refused = [user_error(exc)]
            return TestChannelPayload(
                ok=False, provider_name=None, detail=None, user_errors=refused
            )
        return TestChannelPayload(
            ok=True, provider_name=checked.name, detail=checked.detail, user_errors=[]
        )
