"""The customers services without HTTP or GraphQL, against real Postgres: phones stored
encrypted and found by any spelling, one customer per phone (also under concurrency), names and
tags, the preferred language, opting out, listing, and concurrent edits of different fields.
Phone parsing itself is tested in tests/domain/test_customer_phone.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.customers.languages import canonical_language, served_languages
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.customers.service import (
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    create_customer,
    customer_phone,
    find_customer_by_phone,
    get_customer,
    list_customers,
    update_customer,
)

T = TypeVar("T")
C = CustomerErrorCode
SERVED = "en (English), sw (Swahili), sheng (Sheng (Nairobi Swahili))"


class Book:
    """A tenant's customer book, each call run as a mutation would run it."""

    def __init__(self, ref: TenantRef, cipher: FieldCipher) -> None:
        self.ref = ref
        self.cipher = cipher

    async def atomic(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            async with in_transaction():
                return await call()

    async def create(self, phone: str, **fields: Any) -> Customer:
        return await self.atomic(lambda: create_customer(cipher=self.cipher, phone=phone, **fields))

    async def update(self, customer_id: uuid.UUID, **fields: Any) -> Customer:
        return await self.atomic(
            lambda: update_customer(cipher=self.cipher, customer_id=customer_id, **fields)
        )

    async def refused(self, call: Callable[[], Awaitable[Any]]) -> tuple[str, str | None, str]:
        with pytest.raises(CustomerError) as refused:
            await self.atomic(call)
        return refused.value.code, refused.value.field, refused.value.message

    async def refused_create(self, phone: str, **fields: Any) -> tuple[str, str | None, str]:
        return await self.refused(
            lambda: create_customer(cipher=self.cipher, phone=phone, **fields)
        )

    async def refused_update(
        self, customer_id: uuid.UUID, **fields: Any
    ) -> tuple[str, str | None, str]:
        return await self.refused(
            lambda: update_customer(cipher=self.cipher, customer_id=customer_id, **fields)
        )

    async def get(self, customer_id: uuid.UUID) -> Customer:
        with tenant_context(self.ref):
            return await get_customer(customer_id=customer_id)

    async def count(self) -> int:
        with tenant_context(self.ref):
            return await Customer.all().count()

    async def listed(self, **filters: Any) -> tuple[list[uuid.UUID], int]:
        with tenant_context(self.ref):
            rows, total = await list_customers(cipher=self.cipher, offset=0, limit=50, **filters)
        return [row.id for row in rows], total


@pytest.fixture
async def book(make_tenant: MakeTenant, settings: Settings) -> Book:
    tenant = await make_tenant()
    return Book(TenantRef.of(tenant.id), FieldCipher(settings))


# Phones -----------------------------------------------------------------------------------


async def test_the_phone_is_stored_encrypted_and_found_by_any_spelling(book: Book) -> None:
    made = await book.create(" 0712 345 678 ")

    stored = await book.get(made.id)
    assert customer_phone(cipher=book.cipher, phone_encrypted=stored.phone_encrypted) == (
        "+254712345678"
    )
    assert "712345678" not in stored.phone_encrypted + stored.phone_hash
    assert stored.phone_hash == book.cipher.lookup_hash("+254712345678")
    with tenant_context(book.ref):
        for spelling in ("254712345678", "+254 712 345 678", "(0712) 345-678", "712345678"):
            found = await find_customer_by_phone(cipher=book.cipher, phone=spelling)
            assert found is not None and found.id == made.id, spelling
        assert await find_customer_by_phone(cipher=book.cipher, phone="0722000111") is None


async def test_one_customer_per_phone_whatever_the_spelling(book: Book) -> None:
    await book.create("0712345678")
    for spelling in ("254712345678", "+254 712 345 678", "00254712345678"):
        assert await book.refused_create(spelling) == (
            C.DUPLICATE_PHONE,
            "phone",
            "A customer with this phone exists.",
        )
    invalid = await book.refused_create("0212 345")
    assert invalid[:2] == (C.INVALID_PHONE, "phone")
    assert await book.count() == 1


async def test_concurrent_creates_of_one_phone_make_one_customer(book: Book) -> None:
    async def attempt(spelling: str) -> str:
        try:
            await book.create(spelling, name=spelling)
        except CustomerError as refused:
            return refused.code
        return "created"

    spellings = ["0712345678", "+254712345678", "254 712 345 678", "0712-345-678"] * 3
    results = await asyncio.gather(*(attempt(spelling) for spelling in spellings))

    assert sorted(results) == ["DUPLICATE_PHONE"] * 11 + ["created"]
    assert await book.count() == 1


async def test_a_phone_moves_only_to_a_free_number(book: Book) -> None:
    wanjiku = await book.create("0712345678", name="Wanjiku")
    await book.create("0722000111")

    taken = await book.refused_update(wanjiku.id, phone="+254 722 000 111", name="X")
    same = await book.update(wanjiku.id, phone="254712345678")  # her own, spelled otherwise
    moved = await book.update(wanjiku.id, phone="0733 000 222")

    assert taken == (C.DUPLICATE_PHONE, "phone", "A customer with this phone exists.")
    assert same.phone_hash == book.cipher.lookup_hash("+254712345678")
    stored = await book.get(wanjiku.id)
    assert customer_phone(cipher=book.cipher, phone_encrypted=stored.phone_encrypted) == (
        "+254733000222"
    )
    assert (stored.name, moved.id) == ("Wanjiku", wanjiku.id)  # the refused change kept nothing
    ghost = await book.refused_update(uuid.uuid4(), name="x")
    assert ghost == (C.NOT_FOUND, "id", "No such customer.")


# Names, tags, notes -----------------------------------------------------------------------


async def test_names_and_tags_are_cleaned_and_bounded(book: Book) -> None:
    made = await book.create(
        "0712345678", name="  Wanjiku Kamau ", tags=[" vip", "vip ", " ", "wholesale"], notes=" x "
    )
    assert (made.name, made.tags, made.notes) == ("Wanjiku Kamau", ["vip", "wholesale"], " x ")

    refusals = {
        "long name": {"name": "x" * (MAX_NAME_LENGTH + 1)},
        "many tags": {"tags": [f"t{n}" for n in range(MAX_TAGS + 1)]},
        "long tag": {"tags": ["x" * (MAX_TAG_LENGTH + 1)]},
    }
    for fields in refusals.values():
        code, field, _ = await book.refused_create("0722000111", **fields)
        assert (code, field) == (C.INVALID, next(iter(fields)))
        code, field, _ = await book.refused_update(made.id, **fields)
        assert (code, field) == (C.INVALID, next(iter(fields)))
    at_the_limit = await book.create(
        "0722000111", name="y" * MAX_NAME_LENGTH, tags=[f"t{n}" for n in range(MAX_TAGS)]
    )
    assert len(at_the_limit.tags) == MAX_TAGS
    assert await book.count() == 2
    kept = await book.get(made.id)
    assert (kept.name, kept.tags) == ("Wanjiku Kamau", ["vip", "wholesale"])


# The preferred language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelled", "code"),
    [
        ("en", "en"), ("EN", "en"), (" en-KE ", "en"), ("en_GB", "en"), ("English", "en"),
        ("eng", "en"), ("sw", "sw"), ("SW", "sw"), ("sw-KE", "sw"), ("sw_TZ", "sw"),
        ("Kiswahili", "sw"), ("swahili", "sw"), ("swa", "sw"), ("swh", "sw"),
        ("Sheng", "sheng"), ("sheng-KE", "sheng"),
        ("fr", None), ("klingon", None), ("e", None), ("", None), ("xx-KE", None),
        ("en sw", None), ("-en", None),
    ],
)  # fmt: skip
def test_languages_are_read_to_their_canonical_code(spelled: str, code: str | None) -> None:
    assert canonical_language(spelled) == code


async def test_the_preferred_language_is_stored_canonical_or_refused(book: Book) -> None:
    assert served_languages() == SERVED
    made = await book.create("0712345678", preferred_language="Kiswahili")
    assert made.preferred_language == "sw"
    default = await book.create("0722000111")
    assert default.preferred_language == "en"

    changed = await book.update(made.id, preferred_language="sheng")
    refused = await book.refused_update(made.id, preferred_language="  Klingon language, please ")
    unserved = await book.refused_create("0733000222", preferred_language="fr")

    assert changed.preferred_language == "sheng"
    assert refused == (
        C.UNSUPPORTED_LANGUAGE,
        "preferredLanguage",
        f"We serve customers in {SERVED}; not 'Klingon language, pl'.",
    )
    assert unserved[2] == f"We serve customers in {SERVED}; not 'fr'."
    assert (await book.get(made.id)).preferred_language == "sheng"
    assert await book.count() == 2


# Opting out -------------------------------------------------------------------------------


async def test_opting_out_keeps_its_first_moment_until_opting_back_in(book: Book) -> None:
    made = await book.create("0712345678", opted_out=True)
    since = made.opted_out_at
    assert since is not None

    again = await book.update(made.id, opted_out=True)
    renamed = await book.update(made.id, name="Wanjiku")
    opted_in = await book.update(made.id, opted_out=False)

    assert again.opted_out_at == renamed.opted_out_at == since
    assert opted_in.opted_out_at is None
    assert (await book.get(made.id)).opted_out_at is None
    fresh = await book.create("0722000111")
    assert fresh.opted_out_at is None


async def test_listing_filters_by_phone_tag_and_opt_out_newest_first(book: Book) -> None:
    first = await book.create("0712345678", tags=["vip"])
    second = await book.create("0722000111", tags=["vip", "wholesale"], opted_out=True)
    third = await book.create("0733000222")

    assert await book.listed() == ([third.id, second.id, first.id], 3)
    assert await book.listed(phone="+254 722 000 111") == ([second.id], 1)
    assert await book.listed(tag=" vip ") == ([second.id, first.id], 2)
    assert await book.listed(opted_out=True) == ([second.id], 1)
    assert await book.listed(opted_out=False) == ([third.id, first.id], 2)
    with tenant_context(book.ref):
        page, total = await list_customers(cipher=book.cipher, offset=1, limit=1)
    assert ([row.id for row in page], total) == ([second.id], 3)


# Concurrent edits -------------------------------------------------------------------------


async def _waiters(table: str, count: int, deadline_s: float = 30.0) -> None:
    """Until `count` connections wait on a row lock while writing `table`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while True:
        async with get_pool().acquire() as connection:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE $1",
                f"%{table}%",
            )
        if waiting >= count:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{count} writers never waited on {table}")
        await asyncio.sleep(0.05)


async def test_concurrent_edits_of_different_fields_both_stick(book: Book) -> None:
    """Two dashboard users edit one customer at once, one the name, the other the tags: both
    have read the customer before either writes. Neither may write back what it read of the
    field the other changed."""
    made = await book.create("0712345678", name="Wanjiku", tags=["new"])
    async with get_pool().acquire() as holder, holder.transaction():
        # Hold the row so both edits read it and then queue their writes behind this lock.
        await holder.execute(
            f"SELECT 1 FROM {book.ref.schema}.customers WHERE id = $1 FOR UPDATE", made.id
        )
        edits = asyncio.gather(
            book.update(made.id, name="Wanjiku Kamau"),
            book.update(made.id, tags=["vip"]),
        )
        await _waiters("customers", 2)
    await edits

    stored = await book.get(made.id)
    assert (stored.name, stored.tags) == ("Wanjiku Kamau", ["vip"])
