"""Channels: create, change, disable and find them; secrets are stored encrypted and never
returned by anything but `channel_secrets`."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from wabotiq.core.crypto import FieldCipher
from wabotiq.db.connection import current_connection
from wabotiq.domain.channels.errors import ChannelError, ChannelErrorCode
from wabotiq.domain.channels.models import Channel, ChannelProvider, ChannelStatus
from wabotiq.domain.channels.routes import ChannelRoute
from wabotiq.domain.customers.errors import CustomerError
from wabotiq.domain.customers.phone import normalise_phone

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
_PHONE_NUMBER_ID = re.compile(r"^\d{5,32}$")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
MAX_NAME_LENGTH = 100
MAX_SECRET_LENGTH = 1000
DEFAULT_GRAPH_VERSION = "21.0"

# The secrets each provider needs, by name.
SECRETS: dict[ChannelProvider, tuple[str, ...]] = {
    ChannelProvider.TWILIO: ("auth_token",),
    ChannelProvider.CLOUD: ("access_token", "app_secret", "verify_token"),
}


@dataclass(frozen=True, slots=True)
class Template:
    """An approved template: Twilio's Content SID, or Meta's template name and language."""

    name: str
    content_sid: str = ""
    language: str = ""


def _invalid(field: str, message: str) -> ChannelError:
    return ChannelError(ChannelErrorCode.INVALID, message, field=field)


def _required(field: str, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ChannelError(ChannelErrorCode.MISSING_FIELD, f"{field} is required.", field=field)
    if len(value) > MAX_SECRET_LENGTH:
        raise _invalid(field, f"At most {MAX_SECRET_LENGTH} characters.")
    return value


def whatsapp_sender(raw: str) -> str:
    """`whatsapp:+254…` from a number written any common way, with or without the prefix."""
    try:
        return "whatsapp:" + normalise_phone(raw.strip().removeprefix("whatsapp:"))
    except CustomerError as exc:
        raise _invalid("sender", f"Not a WhatsApp sender: {raw!r}.") from exc


def _twilio_config(*, account_sid: str | None, sender: str | None) -> dict[str, str]:
    sid = _required("accountSid", account_sid)
    if not _ACCOUNT_SID.match(sid):
        raise _invalid("accountSid", "A Twilio account SID is AC and 32 hex digits.")
    return {"account_sid": sid, "sender": whatsapp_sender(_required("sender", sender))}


def _cloud_config(*, phone_number_id: str | None, graph_version: str | None) -> dict[str, str]:
    number_id = _required("phoneNumberId", phone_number_id)
    if not _PHONE_NUMBER_ID.match(number_id):
        raise _invalid("phoneNumberId", "A phone number id is the digits Meta shows.")
    version = (graph_version or DEFAULT_GRAPH_VERSION).strip().removeprefix("v")
    if not re.match(r"^\d{1,3}\.\d{1,3}$", version):
        raise _invalid("graphVersion", "A Graph API version looks like 21.0.")
    return {"phone_number_id": number_id, "graph_version": version}


def _clean_templates(
    provider: ChannelProvider, templates: list[Template]
) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    for template in templates:
        name = template.name.strip()
        if not name or len(name) > MAX_NAME_LENGTH or name in cleaned:
            raise _invalid("templates", f"Template names are unique and short: {name!r}.")
        if provider is ChannelProvider.TWILIO and not _CONTENT_SID.match(template.content_sid):
            raise _invalid("templates", f"Template {name!r} needs a Content SID (HX…).")
        if provider is ChannelProvider.CLOUD and not (
            _TEMPLATE_NAME.match(name) and template.language.strip()
        ):
            raise _invalid("templates", f"Template {name!r} needs Meta's name and a language.")
        cleaned[name] = {"content_sid": template.content_sid, "language": template.language}
    return cleaned


def _encrypt(cipher: FieldCipher, secrets: Mapping[str, str]) -> str:
    return cipher.encrypt(json.dumps(dict(secrets), sort_keys=True))


def channel_secrets(*, cipher: FieldCipher, channel: Channel) -> dict[str, str]:
    """The channel's decrypted secrets, for talking to its provider."""
    secrets: dict[str, str] = json.loads(cipher.decrypt(channel.secrets_encrypted))
    return secrets


def _clean_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid("name", f"At most {MAX_NAME_LENGTH} characters.")
    return name


async def create_channel(
    *,
    cipher: FieldCipher,
    tenant_id: str,
    provider: ChannelProvider,
    name: str = "",
    secrets: Mapping[str, str | None],
    account_sid: str | None = None,
    sender: str | None = None,
    phone_number_id: str | None = None,
    graph_version: str | None = None,
    templates: list[Template] | None = None,
) -> Channel:
    """Connect a WhatsApp number; its route lets webhooks find the tenant."""
    if provider is ChannelProvider.TWILIO:
        config = _twilio_config(account_sid=account_sid, sender=sender)
    else:
        config = _cloud_config(phone_number_id=phone_number_id, graph_version=graph_version)
    kept = {key: _required(_camel(key), secrets.get(key)) for key in SECRETS[provider]}
    channel = await Channel.create(
        id=uuid.uuid4(),
        provider=provider,
        name=_clean_name(name),
        config=config,
        secrets_encrypted=_encrypt(cipher, kept),
        templates=_clean_templates(provider, templates or []),
    )
    await ChannelRoute.create(channel_id=channel.id, tenant_id=tenant_id)
    return channel


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


async def get_channel(*, channel_id: uuid.UUID, field: str = "id") -> Channel:
    """The channel, or NOT_FOUND."""
    channel = await Channel.get_or_none(id=channel_id)
    if channel is None:
        raise ChannelError(ChannelErrorCode.NOT_FOUND, "No such channel.", field=field)
    return channel


async def update_channel(
    *,
    cipher: FieldCipher,
    channel_id: uuid.UUID,
    name: str | None = None,
    secrets: Mapping[str, str | None] | None = None,
    sender: str | None = None,
    templates: list[Template] | None = None,
    active: bool | None = None,
) -> Channel:
    """Change the given fields; a secret left out keeps its stored value."""
    channel = await get_channel(channel_id=channel_id)
    changed = ["updated_at"]
    if name is not None:
        channel.name = _clean_name(name)
        changed.append("name")
    if sender is not None:
        if channel.provider is not ChannelProvider.TWILIO:
            raise _invalid("sender", "Only Twilio channels have a sender.")
        channel.config = {**channel.config, "sender": whatsapp_sender(sender)}
        changed.append("config")
    given = {key: value for key, value in (secrets or {}).items() if value is not None}
    if given:
        unknown = set(given) - set(SECRETS[channel.provider])
        if unknown:
            raise _invalid(_camel(sorted(unknown)[0]), "Not a secret of this provider.")
        stored = channel_secrets(cipher=cipher, channel=channel)
        stored.update({key: _required(_camel(key), value) for key, value in given.items()})
        channel.secrets_encrypted = _encrypt(cipher, stored)
        changed.append("secrets_encrypted")
    if templates is not None:
        channel.templates = _clean_templates(channel.provider, templates)
        changed.append("templates")
    if active is not None:
        channel.status = ChannelStatus.ACTIVE if active else ChannelStatus.DISABLED
        changed.append("status")
    await channel.save(update_fields=changed)
    return channel


async def disable_channel(*, channel_id: uuid.UUID) -> Channel:
    """Stop a channel: its webhooks are refused (403) and nothing is sent through it."""
    channel = await get_channel(channel_id=channel_id)
    if channel.status is not ChannelStatus.DISABLED:
        channel.status = ChannelStatus.DISABLED
        await channel.save(update_fields=["status", "updated_at"])
    return channel


async def list_channels(*, offset: int = 0, limit: int = 100) -> tuple[list[Channel], int]:
    """A page of the tenant's channels, oldest first, and the total count."""
    query = Channel.all()
    total = await query.count()
    rows = await query.order_by("created_at", "id").offset(offset).limit(limit)
    return list(rows), total


async def tenant_of_channel(*, channel_id: uuid.UUID) -> str | None:
    """The active tenant a channel belongs to, from `public` (webhooks carry no tenant); None
    for an unknown channel or a suspended tenant."""
    async with current_connection() as connection:
        tenant_id: str | None = await connection.fetchval(
            "SELECT r.tenant_id FROM public.channel_routes r JOIN public.tenants t"
            " ON t.id = r.tenant_id WHERE r.channel_id = $1 AND t.status = 'active'",
            channel_id,
        )
    return tenant_id


def channel_templates(channel: Channel) -> dict[str, Template]:
    """The channel's approved templates by name."""
    return {
        name: Template(name=name, content_sid=t["content_sid"], language=t["language"])
        for name, t in channel.templates.items()
    }
