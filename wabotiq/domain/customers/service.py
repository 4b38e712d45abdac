"""Customers: create, change and find them; the phone is stored encrypted, found by its hash."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from wabotiq.core.crypto import FieldCipher
from wabotiq.db.connection import current_connection
from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.customers.languages import canonical_language, served_languages
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.customers.phone import normalise_phone

MAX_TAGS = 50
MAX_TAG_LENGTH = 50
MAX_NAME_LENGTH = 200


def _clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(cleaned) > MAX_TAGS or any(len(tag) > MAX_TAG_LENGTH for tag in cleaned):
        raise CustomerError(
            CustomerErrorCode.INVALID,
            f"At most {MAX_TAGS} tags of at most {MAX_TAG_LENGTH} characters each.",
            field="tags",
        )
    return cleaned


def _clean_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise CustomerError(
            CustomerErrorCode.INVALID, f"At most {MAX_NAME_LENGTH} characters.", field="name"
        )
    return name


def _clean_language(language: str) -> str:
    code = canonical_language(language)
    if code is None:
        raise CustomerError(
            CustomerErrorCode.UNSUPPORTED_LANGUAGE,
            f"We serve customers in {served_languages()}; not {language.strip()[:20]!r}.",
            field="preferredLanguage",
        )
    return code


async def _ensure_phone_free(phone_hash: str, *, other_than: uuid.UUID | None = None) -> None:
    query = Customer.filter(phone_hash=phone_hash)
    if other_than is not None:
        query = query.exclude(id=other_than)
    if await query.exists():
        raise CustomerError(
            CustomerErrorCode.DUPLICATE_PHONE, "A customer with this phone exists.", field="phone"
        )


def _opted_out_at(opted_out: bool, current: datetime | None) -> datetime | None:
    if not opted_out:
        return None
    return current or datetime.now(UTC)


async def create_customer(
    *,
    cipher: FieldCipher,
    phone: str,
    name: str = "",
    preferred_language: str = "en",
    tags: Sequence[str] = (),
    notes: str = "",
    opted_out: bool = False,
) -> Customer:
    """Create a customer; the phone is normalised to E.164 and unique per tenant."""
    e164 = normalise_phone(phone)
    phone_hash = cipher.lookup_hash(e164)
    await _ensure_phone_free(phone_hash)
    try:
        return await Customer.create(
            id=uuid.uuid4(),
            phone_encrypted=cipher.encrypt(e164),
            phone_hash=phone_hash,
            name=_clean_name(name),
            preferred_language=_clean_language(preferred_language),
            tags=_clean_tags(tags),
            notes=notes,
            opted_out_at=_opted_out_at(opted_out, None),
        )
    except IntegrityError as exc:  # a concurrent create of the same phone
        raise CustomerError(
            CustomerErrorCode.DUPLICATE_PHONE, "A customer with this phone exists.", field="phone"
        ) from exc


async def get_customer(*, customer_id: uuid.UUID, field: str = "id") -> Customer:
    """The customer, or NOT_FOUND."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise CustomerError(CustomerErrorCode.NOT_FOUND, "No such customer.", field=field)
    return customer


async def update_customer(
    *,
    cipher: FieldCipher,
    customer_id: uuid.UUID,
    phone: str | None = None,
    name: str | None = None,
    preferred_language: str | None = None,
    tags: Sequence[str] | None = None,
    notes: str | None = None,
    opted_out: bool | None = None,
) -> Customer:
    """Change the given fields of a customer; omitted ones stay as they are."""
    customer = await get_customer(customer_id=customer_id)
    changes: dict[str, Any] = {}
    if phone is not None:
        e164 = normalise_phone(phone)
        changes["phone_hash"] = cipher.lookup_hash(e164)
        await _ensure_phone_free(changes["phone_hash"], other_than=customer.id)
        changes["phone_encrypted"] = cipher.encrypt(e164)
    if name is not None:
        changes["name"] = _clean_name(name)
    if preferred_language is not None:
        changes["preferred_language"] = _clean_language(preferred_language)
    if tags is not None:
        changes["tags"] = _clean_tags(tags)
    if notes is not None:
        changes["notes"] = notes
    if opted_out is not None:
        changes["opted_out_at"] = _opted_out_at(opted_out, customer.opted_out_at)
    customer.update_from_dict(changes)
    try:
        # The changed columns only: a full save would write back what it read of the others,
        # undoing a concurrent change to them.
        await customer.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:
        raise CustomerError(
            CustomerErrorCode.DUPLICATE_PHONE, "A customer with this phone exists.", field="phone"
        ) from exc
    return customer


async def find_customer_by_phone(*, cipher: FieldCipher, phone: str) -> Customer | None:
    """The customer with this phone (any common way of writing it), or None."""
    return await Customer.get_or_none(phone_hash=cipher.lookup_hash(normalise_phone(phone)))


def customer_phone(*, cipher: FieldCipher, phone_encrypted: str) -> str:
    """A customer's phone in E.164, decrypted from its stored form."""
    return cipher.decrypt(phone_encrypted)


async def list_customers(
    *,
    cipher: FieldCipher,
    offset: int,
    limit: int,
    phone: str | None = None,
    tag: str | None = None,
    opted_out: bool | None = None,
) -> tuple[list[Customer], int]:
    """A page of customers, newest first, and the total count."""
    query = Customer.all()
    if phone is not None:
        query = query.filter(phone_hash=cipher.lookup_hash(normalise_phone(phone)))
    if tag is not None:
        query = query.filter(tags__contains=[tag.strip()])
    if opted_out is not None:
        query = query.filter(opted_out_at__isnull=not opted_out)
    total = await query.count()
    rows = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return list(rows), total


async def get_or_create_customer_by_phone(
    *, cipher: FieldCipher, phone: str, name: str = ""
) -> uuid.UUID:
    """The id of the customer with this phone, created when new: one statement, so customers
    writing for the first time at the same moment become one customer (the lookup hash is
    unique; the second insert finds the first). A name fills in an empty one."""
    e164 = normalise_phone(phone)
    async with current_connection() as connection:
        customer_id: uuid.UUID = await connection.fetchval(
            "INSERT INTO customers (id, phone_encrypted, phone_hash, name) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (phone_hash) DO UPDATE SET name = CASE WHEN customers.name = ''"
            " THEN excluded.name ELSE customers.name END RETURNING id",
            uuid.uuid4(),
            cipher.encrypt(e164),
            cipher.lookup_hash(e164),
            name.strip()[:MAX_NAME_LENGTH],
        )
    return customer_id
