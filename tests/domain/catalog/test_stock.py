"""Stock reservations for checkout, without HTTP: one winner for the last unit, all lines or
none, releases, the ledger, and the tables' CHECK as a backstop."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.domain.catalog.errors import CatalogError, OutOfStock
from wabotiq.domain.catalog.listing import get_product, variants_by_product
from wabotiq.domain.catalog.models import StockMovement
from wabotiq.domain.catalog.records import ProductRecord
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec, archive_product, create_product
from wabotiq.domain.catalog.stock import release_stock, reserve_stock
from wabotiq.tenancy.service import tenant_ref

RACERS = 50


async def _tenant(make_tenant: MakeTenant) -> TenantRef:
    return tenant_ref((await make_tenant()).provisioned.tenant)


async def _product(ref: TenantRef, sku: str, **fields: object) -> ProductRecord:
    with tenant_context(ref):
        async with in_transaction():
            return await create_product(
                spec=ProductSpec(sku=sku, name=sku, price=Decimal("100"), **fields)  # type: ignore[arg-type]
            )


async def _race(ref: TenantRef, line: tuple[uuid.UUID, uuid.UUID | None, int]) -> list[str]:
    async def attempt(n: int) -> str:
        with tenant_context(ref):
            try:
                async with in_transaction():
                    await reserve_stock(lines=[line], reference=f"checkout-{n}")
            except OutOfStock as exc:
                return f"out:{exc.sku}"
        return "won"

    return await asyncio.gather(*(attempt(n) for n in range(RACERS)))


async def test_fifty_checkouts_of_the_last_unit_have_one_winner(make_tenant: MakeTenant) -> None:
    ref = await _tenant(make_tenant)
    product = await _product(ref, "LAST-ONE", stock=1)

    results = await _race(ref, (product.id, None, 1))

    assert results.count("won") == 1
    assert results.count("out:LAST-ONE") == RACERS - 1
    with tenant_context(ref):
        assert (await get_product(product_id=product.id)).stock == 0
        reserved = await StockMovement.filter(product_id=product.id, reason="reservation")
    assert [(m.delta, m.stock_after) for m in reserved] == [(-1, 0)]


async def test_fifty_checkouts_of_a_variants_last_unit_have_one_winner(
    make_tenant: MakeTenant,
) -> None:
    ref = await _tenant(make_tenant)
    product = await _product(
        ref, "TEE", variants=[VariantSpec(sku="TEE-M", stock=1), VariantSpec(sku="TEE-L", stock=3)]
    )
    with tenant_context(ref):
        medium = (await variants_by_product(product_ids=[product.id]))[product.id][0]

    results = await _race(ref, (product.id, medium.id, 1))

    assert results.count("won") == 1 and results.count("out:TEE-M") == RACERS - 1
    with tenant_context(ref):
        variants = (await variants_by_product(product_ids=[product.id]))[product.id]
        assert [v.stock for v in variants] == [0, 3]
        assert (await get_product(product_id=product.id)).stock == 3  # the variants' total


async def test_a_reservation_takes_all_lines_or_none(make_tenant: MakeTenant) -> None:
    ref = await _tenant(make_tenant)
    plenty = await _product(ref, "PLENTY", stock=10)
    scarce = await _product(ref, "SCARCE", stock=1)
    with tenant_context(ref):
        with pytest.raises(OutOfStock) as refused:
            async with in_transaction():
                await reserve_stock(
                    lines=[(plenty.id, None, 4), (scarce.id, None, 1), (scarce.id, None, 1)],
                    reference="order:1",
                )
        assert refused.value.sku == "SCARCE"
        assert (refused.value.requested, refused.value.available) == (2, 1)
        assert (await get_product(product_id=plenty.id)).stock == 10
        assert not await StockMovement.filter(reason="reservation").exists()


async def test_release_gives_stock_back_with_movements(make_tenant: MakeTenant) -> None:
    ref = await _tenant(make_tenant)
    product = await _product(ref, "REL", variants=[VariantSpec(sku="REL-A", stock=2)])
    simple = await _product(ref, "SIMPLE", stock=5)
    with tenant_context(ref):
        variant = (await variants_by_product(product_ids=[product.id]))[product.id][0]
        lines = [(product.id, variant.id, 2), (simple.id, None, 3)]
        async with in_transaction():
            await reserve_stock(lines=lines, reference="order:7", actor="someone")
        assert (await get_product(product_id=simple.id)).stock == 2
        async with in_transaction():
            await archive_product(product_id=simple.id)  # cancellations still restock it
            await release_stock(lines=lines, reference="order:7")
        assert (await get_product(product_id=simple.id)).stock == 5
        assert (await get_product(product_id=product.id)).stock == 2
        ledger = await StockMovement.filter(reference="order:7").order_by("id")
    assert sorted((m.reason, m.delta, m.stock_after) for m in ledger) == [
        ("release", 2, 2),
        ("release", 3, 5),
        ("reservation", -3, 2),
        ("reservation", -2, 0),
    ]
    by_variant = {m.variant_id: m for m in ledger if m.reason == "reservation"}
    assert by_variant[variant.id].actor == "someone" and by_variant[None].product_id == simple.id


async def test_reservations_refuse_what_is_not_for_sale(make_tenant: MakeTenant) -> None:
    ref = await _tenant(make_tenant)
    off = await _product(ref, "OFF", stock=5, active=False)
    gone = await _product(ref, "GONE", stock=5)
    with_variants = await _product(ref, "VAR", variants=[VariantSpec(sku="VAR-1", stock=5)])
    with tenant_context(ref):
        async with in_transaction():
            await archive_product(product_id=gone.id)
        for line, code in (
            ((off.id, None, 1), "ARCHIVED"),
            ((gone.id, None, 1), "ARCHIVED"),
            ((with_variants.id, None, 1), "VARIANT_REQUIRED"),
            ((uuid.uuid4(), None, 1), "NOT_FOUND"),
            ((off.id, None, 0), "INVALID"),
        ):
            with pytest.raises(CatalogError) as refused:
                async with in_transaction():
                    await reserve_stock(lines=[line], reference="x")
            assert refused.value.code == code


async def test_the_tables_refuse_negative_stock_whatever_the_code_does(
    make_tenant: MakeTenant,
) -> None:
    ref = await _tenant(make_tenant)
    product = await _product(ref, "BACKSTOP", variants=[VariantSpec(sku="BACKSTOP-1", stock=1)])
    async with get_pool().acquire() as connection:
        for table in ("products", "variants"):
            with pytest.raises(asyncpg.CheckViolationError):
                await connection.execute(
                    f"UPDATE {ref.schema}.{table} SET stock = stock - 2"
                    f" WHERE {'id' if table == 'products' else 'product_id'} = $1",
                    product.id,
                )
