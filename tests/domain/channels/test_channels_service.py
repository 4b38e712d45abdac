"""The channels services: secrets encrypted and kept when not given, the public route from a
channel to its (active) tenant."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import (
    ACCESS_TOKEN,
    APP_SECRET,
    AUTH_TOKEN,
    VERIFY_TOKEN,
    cloud_channel,
    twilio_channel,
)
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.errors import ChannelError, ChannelErrorCode
from wabotiq.domain.channels.service import (
    channel_secrets,
    get_channel,
    tenant_of_channel,
    update_channel,
)
from wabotiq.tenancy.models import TenantStatus
from wabotiq.tenancy.service import set_status


async def test_secrets_are_ciphertext_and_a_change_keeps_the_ones_not_given(
    app: Any, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await cloud_channel(tenant.id, cipher)
    assert all(
        secret not in channel.secrets_encrypted
        for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN)
    )
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await update_channel(
                cipher=cipher, channel_id=channel.id, secrets={"app_secret": "new"}
            )
        stored = await get_channel(channel_id=channel.id)
    assert channel_secrets(cipher=cipher, channel=stored) == {
        "access_token": ACCESS_TOKEN, "app_secret": "new", "verify_token": VERIFY_TOKEN,
    }  # fmt: skip


async def test_a_secret_of_another_provider_is_refused(app: Any, make_tenant: MakeTenant):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    with tenant_context(TenantRef.of(tenant.id)), pytest.raises(ChannelError) as refused:
        await update_channel(cipher=cipher, channel_id=channel.id, secrets={"app_secret": "x"})
    assert (refused.value.code, refused.value.field) == (ChannelErrorCode.INVALID, "appSecret")
    with tenant_context(TenantRef.of(tenant.id)):
        stored = await get_channel(channel_id=channel.id)
    assert channel_secrets(cipher=cipher, channel=stored) == {"auth_token": AUTH_TOKEN}


async def test_the_route_names_the_tenant_while_it_is_active(app: Any, make_tenant: MakeTenant):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    assert await tenant_of_channel(channel_id=channel.id) == tenant.id
    assert await tenant_of_channel(channel_id=uuid.uuid4()) is None
    async with in_transaction():
        await set_status(ref=tenant.id, status=TenantStatus.SUSPENDED)
    assert await tenant_of_channel(channel_id=channel.id) is None
    async with in_transaction():
        await set_status(ref=tenant.id, status=TenantStatus.ACTIVE)
    assert await tenant_of_channel(channel_id=channel.id) == tenant.id
