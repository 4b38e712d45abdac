"""Queries of channels."""

from __future__ import annotations

import strawberry

from wabotiq.domain.channels import service
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, offset_connection
from wabotiq.integrations.whatsapp.registry import webhook_url
from wabotiq.resolvers.channels.types import Channel
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import offset_page

MANAGE = scopes(["integrations:manage"])


@strawberry.type
class ChannelsQueries:
    @strawberry.field(
        description="The tenant's WhatsApp channels, oldest first.", directives=MANAGE
    )
    async def channels(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Channel]:
        offset, limit = offset_page(info, first, after)
        rows, total = await service.list_channels(offset=offset, limit=limit)
        settings = info.context.runtime.settings
        return offset_connection(
            rows,
            offset=offset,
            total=total,
            convert=lambda row: Channel.from_model(row, webhook_url=webhook_url(row, settings)),
        )
