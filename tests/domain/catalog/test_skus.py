"""One SKU namespace for products and variants holds under concurrent writers."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.polling import eventually
from wabotiq.core.tenant import tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec, create_product, create_variant
from wabotiq.tenancy.service import tenant_ref


async def test_a_variant_waits_for_a_product_claiming_its_sku_and_is_refused(
    make_tenant: MakeTenant,
) -> None:
    """Each table's unique index cannot see the other table: the SKU is held until commit."""
    ref = tenant_ref((await make_tenant()).provisioned.tenant)
    with tenant_context(ref):
        async with in_transaction():
            parent = await create_product(
                spec=ProductSpec(sku="PARENT", name="Parent", price=Decimal("1"))
            )
    product_written, commit = asyncio.Event(), asyncio.Event()
    holder: list[int] = []  # the product writer's backend

    async def product_writer() -> None:
        with tenant_context(ref):
            async with in_transaction() as connection:
                spec = ProductSpec(sku="CONTESTED", name="First", price=Decimal("1"))
                await create_product(spec=spec)
                (row,) = await connection.execute_query_dict("SELECT pg_backend_pid() AS pid")
                holder.append(row["pid"])
                product_written.set()
                await commit.wait()

    async def variant_writer() -> str:
        await product_written.wait()
        with tenant_context(ref):
            try:
                async with in_transaction():
                    await create_variant(product_id=parent.id, spec=VariantSpec(sku="CONTESTED"))
            except CatalogError as exc:
                return exc.code
        return "created"

    first = asyncio.create_task(product_writer())
    second = asyncio.create_task(variant_writer())
    await product_written.wait()

    async def variant_writer_held() -> bool:
        async with get_pool().acquire() as connection:
            return await connection.fetchval(
                "SELECT EXISTS (SELECT FROM pg_stat_activity"
                " WHERE $1 = ANY(pg_blocking_pids(pid)))",
                holder[0],
            )

    # Not a fixed pause: the variant writer is seen waiting on the product writer's lock.
    await eventually(variant_writer_held, "the variant writer waiting for the product's SKU")
    assert not second.done(), "the variant was written while the product held its SKU"
    commit.set()
    await first

    assert await second == CatalogErrorCode.SKU_TAKEN
    with tenant_context(ref):
        assert await Product.filter(sku="CONTESTED").count() == 1
        assert not await Variant.filter(sku="CONTESTED").exists()
