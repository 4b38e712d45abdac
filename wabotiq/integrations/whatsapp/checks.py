"""Checking a channel's credentials with a real call to its provider."""

from __future__ import annotations

import httpx

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.domain.channels.errors import ChannelError, ChannelErrorCode
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.integrations.whatsapp.channel import Checked, ProviderRefused, ProviderUnreachable
from wabotiq.integrations.whatsapp.registry import build_channel


async def check_channel(
    record: ChannelRecord, *, cipher: FieldCipher, settings: Settings, client: httpx.AsyncClient
) -> Checked:
    """What the provider calls the account or number; a refusal or no answer is a
    `ChannelError` naming the provider's code."""
    channel = build_channel(record, cipher=cipher, settings=settings)
    try:
        return await channel.check(client)
    except ProviderRefused as exc:
        raise ChannelError(
            ChannelErrorCode.PROVIDER_REFUSED,
            f"The provider refused the credentials ({exc.code}: {exc.message}).",
        ) from exc
    except (ProviderUnreachable, httpx.HTTPError) as exc:
        raise ChannelError(
            ChannelErrorCode.PROVIDER_UNREACHABLE, f"The provider did not answer: {exc}."
        ) from exc
