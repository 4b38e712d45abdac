"""The catalog services without HTTP or GraphQL, against real Postgres: what a product and its
variants store, the price and sale price rules, currencies, variants and their stock, archiving,
edits that leave a concurrent stock change alone, and the category tree under concurrent moves.
SKUs, stock reservations and imports are tested in the sibling modules."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.catalog.categories import (
    archive_category,
    create_category,
    get_category,
    slugify,
    update_category,
)
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode
from wabotiq.domain.catalog.listing import (
    ProductFilter,
    ProductSort,
    get_product,
    product_page,
    variants_by_product,
)
from wabotiq.domain.catalog.models import StockMovement
from wabotiq.domain.catalog.records import ProductRecord
from wabotiq.domain.catalog.service import (
    MAX_AMOUNT,
    ProductSpec,
    VariantSpec,
    archive_product,
    archive_variant,
    create_product,
    create_variant,
    update_product,
    update_variant,
)
from wabotiq.domain.catalog.stock import StockReason, adjust_stock

T = TypeVar("T")
C = CatalogErrorCode
AMOUNT = "An amount is between 0 and 999999999999.99."
PLACES = "An amount has at most two decimal places."


class Catalog:
    def __init__(self, ref: TenantRef) -> None:
        self.ref = ref

    async def atomic(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            async with in_transaction():
                return await call()

    async def read(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            return await call()

    async def create(self, sku: str = "", **fields: Any) -> ProductRecord:
        spec = {"sku": sku or f"P-{uuid.uuid4().hex[:8]}", "name": "Phone", "price": "100"}
        spec |= fields
        for money in ("price", "sale_price"):
            if isinstance(spec.get(money), str):
                spec[money] = Decimal(spec[money])
        return await self.atomic(lambda: create_product(spec=ProductSpec(**spec)))

    async def refused(self, call: Callable[[], Awaitable[Any]]) -> tuple[str, str | None, str]:
        with pytest.raises(CatalogError) as refused:
            await self.atomic(call)
        return refused.value.code, refused.value.field, refused.value.message

    async def listed(self, sort: ProductSort = ProductSort.NAME_ASC, **given: Any) -> list[str]:
        """The SKUs of the first page of products matching a filter, in `sort` order."""
        filter = ProductFilter(**given)
        page = await self.read(lambda: product_page(filter=filter, sort=sort, offset=0, limit=10))
        return [product.sku for product in page.products]

    async def refused_spec(self, sku: str, **fields: Any) -> tuple[str, str | None, str]:
        """The refusal of a product `sku` priced 1.00 with `fields`."""
        spec = ProductSpec(sku=sku, name=sku, price=Decimal("1"), **fields)
        return await self.refused(lambda: create_product(spec=spec))

    async def product(self, product_id: uuid.UUID) -> ProductRecord:
        return await self.read(lambda: get_product(product_id=product_id))

    async def events(self, product_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.read(
            lambda: OutboxEvent.filter(aggregate_type="product", aggregate_id=str(product_id))
            .order_by("id")
        )  # fmt: skip
        return [(row.event_type, row.payload) for row in rows]

    async def movements(self, product_id: uuid.UUID) -> list[tuple[str, int, int]]:
        rows = await self.read(lambda: StockMovement.filter(product_id=product_id).order_by("id"))
        return [(row.reason, row.delta, row.stock_after) for row in rows]


@pytest.fixture
async def catalog(make_tenant: MakeTenant) -> Catalog:
    return Catalog(TenantRef.of((await make_tenant()).id))


# What a product stores --------------------------------------------------------------------


async def test_a_product_stores_what_it_was_given_cleaned(catalog: Catalog) -> None:
    made = await catalog.atomic(lambda: create_product(
        spec=ProductSpec(
            sku=" PH-A54 ", name="  Galaxy A54 ", price=Decimal("42000"),
            sale_price=Decimal("39999.5"), currencies=(" kes",), description=" 128GB ",
            stock=7, attributes={" storage ": " 128GB ", "ram_gb": 8},
            tags=[" phone", "phone ", "", "android"],
            image_urls=[" https://img.example/a54.jpg ", "https://img.example/a54.jpg"],
        ),
        actor="user-1",
    ))  # fmt: skip

    stored = await catalog.product(made.id)
    assert made == stored
    assert (stored.sku, stored.name, stored.description) == ("PH-A54", "Galaxy A54", "128GB")
    assert (str(stored.price), str(stored.sale_price), stored.currency) == (
        "42000.00",
        "39999.50",
        "KES",
    )
    assert stored.attributes == {"storage": "128GB", "ram_gb": "8"}
    assert stored.tags == ["phone", "android"]
    assert stored.image_urls == ["https://img.example/a54.jpg"]
    assert (stored.stock, stored.active, stored.archived_at) == (7, True, None)
    assert await catalog.movements(made.id) == [("initial", 7, 7)]
    assert await catalog.events(made.id) == [
        ("created", {"product_id": str(made.id), "sku": "PH-A54"})
    ]


async def test_variants_hold_the_stock_and_the_product_their_total(catalog: Catalog) -> None:
    made = await catalog.create(
        variants=[
            VariantSpec(sku="TEE-M", attributes={"size": "M"}, stock=2),
            VariantSpec(sku="TEE-L", attributes={"size": "L"}, stock=3, position=1,
                        price=Decimal("120.5")),
            VariantSpec(sku="TEE-XL", attributes={"size": "XL"}, position=2, active=False),
        ]
    )  # fmt: skip
    variants = (await catalog.read(lambda: variants_by_product(product_ids=[made.id])))[made.id]

    assert [(v.sku, v.stock, v.price, v.active) for v in variants] == [
        ("TEE-M", 2, None, True),  # None: sold at the product's price
        ("TEE-L", 3, Decimal("120.50"), True),
        ("TEE-XL", 0, None, False),
    ]
    assert (made.stock, (await catalog.product(made.id)).stock) == (5, 5)
    assert sorted(await catalog.movements(made.id)) == [("initial", 2, 2), ("initial", 3, 3)]

    written_off = await catalog.atomic(
        lambda: archive_variant(variant_id=variants[1].id, actor="user-1")
    )
    assert (written_off.variant.stock, written_off.product.stock) == (0, 2)
    assert (await catalog.movements(made.id))[-1] == ("variant_archived", -3, 0)
    assert await catalog.refused(lambda: archive_variant(variant_id=variants[1].id)) == (
        C.ARCHIVED,
        "id",
        "The variant is archived.",
    )
    assert await catalog.refused(
        lambda: update_variant(variant_id=variants[1].id, changes={"price": None})
    ) == (C.ARCHIVED, "id", "The variant is archived.")
    repriced = await catalog.atomic(
        lambda: update_variant(variant_id=variants[0].id, changes={"price": Decimal("99.9")})
    )
    assert str(repriced.variant.price) == "99.90"
    live = (await catalog.read(lambda: variants_by_product(product_ids=[made.id])))[made.id]
    assert [v.sku for v in live] == ["TEE-M", "TEE-XL"]


async def test_stock_lives_on_the_variants_once_a_product_has_them(catalog: Catalog) -> None:
    both = await catalog.refused_spec("BOTH", stock=2, variants=[VariantSpec(sku="B-1")])
    negative = await catalog.refused_spec("NEG", stock=-1)
    negative_variant = await catalog.refused_spec(
        "NEGV", variants=[VariantSpec(sku="NEGV-1", stock=-1)]
    )
    assert both == (C.INVALID, "stock", "A product with variants keeps its stock on the variants.")
    assert negative == negative_variant == (C.INVALID, "stock", "Stock cannot be negative.")

    own = await catalog.create(stock=3)
    refused = await catalog.refused(
        lambda: create_variant(product_id=own.id, spec=VariantSpec(sku="OWN-1", stock=1))
    )
    assert refused == (
        C.INVALID,
        "productId",
        "The product has stock of its own: adjust it to zero before adding variants.",
    )
    await catalog.atomic(
        lambda: adjust_stock(product_id=own.id, delta=-3, reason=StockReason.CORRECTION)
    )
    added = await catalog.atomic(
        lambda: create_variant(product_id=own.id, spec=VariantSpec(sku="OWN-1", stock=4))
    )
    assert (added.variant.stock, added.product.stock) == (4, 4)
    assert await catalog.movements(own.id) == [
        ("initial", 3, 3),
        ("correction", -3, 0),
        ("initial", 4, 4),
    ]


# Prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "sale_price", "outcome"),
    [
        ("100", None, ("100.00", None)),
        ("100.5", "99.99", ("100.50", "99.99")),
        ("100", "100", ("100.00", "100.00")),
        ("100", "0", ("100.00", "0.00")),
        ("1E+2", None, ("100.00", None)),
        ("-0", None, ("0.00", None)),
        (str(MAX_AMOUNT), None, (str(MAX_AMOUNT), None)),
        ("10.005", None, (C.INVALID, "price", PLACES)),
        ("-0.01", None, (C.INVALID, "price", AMOUNT)),
        ("1000000000000", None, (C.INVALID, "price", AMOUNT)),
        ("NaN", None, (C.INVALID, "price", AMOUNT)),
        ("Infinity", None, (C.INVALID, "price", AMOUNT)),
        ("100", "100.01", (C.INVALID, "salePrice", "A sale price is at most the price.")),
        ("100", "9.999", (C.INVALID, "salePrice", PLACES)),
        ("100", "-1", (C.INVALID, "salePrice", AMOUNT)),
    ],
)
async def test_price_rules(
    catalog: Catalog, price: str, sale_price: str | None, outcome: tuple[Any, ...]
) -> None:
    spec = ProductSpec(
        sku="PRICED",
        name="Priced",
        price=Decimal(price),
        sale_price=None if sale_price is None else Decimal(sale_price),
    )
    if len(outcome) == 3:
        assert await catalog.refused(lambda: create_product(spec=spec)) == outcome
        assert await catalog.listed(include_archived=True) == []
        return
    made = await catalog.atomic(lambda: create_product(spec=spec))
    stored = await catalog.product(made.id)
    shown = (str(made.price), None if made.sale_price is None else str(made.sale_price))
    assert shown == outcome
    assert (str(stored.price), None if stored.sale_price is None else str(stored.sale_price)) == (
        outcome
    )


async def test_price_changes_keep_the_sale_price_at_most_the_price(catalog: Catalog) -> None:
    made = await catalog.create(price="1000", sale_price="900")

    below_sale = await catalog.refused(
        lambda: update_product(product_id=made.id, changes={"price": Decimal("800")})
    )
    above_price = await catalog.refused(
        lambda: update_product(product_id=made.id, changes={"sale_price": Decimal("1000.01")})
    )
    lower = {"price": Decimal("800"), "sale_price": Decimal("750")}
    both = await catalog.atomic(lambda: update_product(product_id=made.id, changes=lower))
    cleared = await catalog.atomic(
        lambda: update_product(product_id=made.id, changes={"sale_price": None})
    )
    dollars = await catalog.refused(lambda: update_product(
        product_id=made.id, changes={"price": Decimal("5"), "currencies": ["USD"]}))  # fmt: skip

    assert (
        below_sale == above_price == (C.INVALID, "salePrice", "A sale price is at most the price.")
    )
    assert (str(both.price), str(both.sale_price)) == ("800.00", "750.00")
    assert (str(cleared.price), cleared.sale_price) == ("800.00", None)
    assert dollars == (C.CURRENCY_MISMATCH, "price", "Prices are in KES.")
    stored = await catalog.product(made.id)
    assert (str(stored.price), stored.sale_price, stored.currency) == ("800.00", None, "KES")
    assert [kind for kind, _ in await catalog.events(made.id)] == ["created", "updated", "updated"]


async def test_prices_are_in_the_tenant_currency(make_tenant: MakeTenant) -> None:
    pounds = Catalog(TenantRef.of((await make_tenant(currency="GBP")).id))
    made = await pounds.create(currencies=("gbp",))
    assert made.currency == "GBP"
    refused = await pounds.refused_spec("KES-1", currencies=("GBP", "KES"))
    assert refused == (C.CURRENCY_MISMATCH, "price", "Prices are in GBP.")


# Archiving --------------------------------------------------------------------------------


async def test_an_archived_product_leaves_listings_and_refuses_changes(catalog: Catalog) -> None:
    kept = await catalog.create(sku="KEPT", name="Kept")
    made = await catalog.create(sku="GONE", name="Gone", stock=4)

    archived = await catalog.atomic(lambda: archive_product(product_id=made.id))

    assert archived.archived_at is not None and archived.stock == 4
    assert (await catalog.product(made.id)).archived_at == archived.archived_at
    for call, field in (
        (lambda: archive_product(product_id=made.id), "id"),
        (lambda: update_product(product_id=made.id, changes={"name": "Back"}), "id"),
        (lambda: create_variant(product_id=made.id, spec=VariantSpec(sku="GONE-1")), "productId"),
    ):
        assert await catalog.refused(call) == (C.ARCHIVED, field, "The product is archived.")
    taken = await catalog.refused_spec("GONE")
    assert taken == (C.SKU_TAKEN, "sku", "SKU GONE is already in use.")  # it keeps its SKU
    ghost = await catalog.refused(lambda: archive_product(product_id=uuid.uuid4()))
    assert ghost == (C.NOT_FOUND, "id", "No such product.")

    assert await catalog.listed() == ["KEPT"]
    assert await catalog.listed(include_archived=True) == ["GONE", "KEPT"]
    assert [kind for kind, _ in await catalog.events(made.id)] == ["created", "archived"]
    assert kept.archived_at is None


async def test_listing_compares_prices_with_what_customers_pay(catalog: Catalog) -> None:
    await catalog.create(sku="ON-SALE", price="50000", sale_price="30000")
    await catalog.create(sku="FULL", price="35000")
    await catalog.create(sku="CHEAP", price="1000")

    cheapest = ProductSort.PRICE_ASC
    assert await catalog.listed(cheapest) == ["CHEAP", "ON-SALE", "FULL"]
    assert await catalog.listed(cheapest, price_max=Decimal("30000")) == ["CHEAP", "ON-SALE"]
    assert await catalog.listed(cheapest, price_min=Decimal("30000.01")) == ["FULL"]


# Concurrency ------------------------------------------------------------------------------


async def _waiters(table: str, deadline_s: float = 30.0) -> None:
    """Until a connection waits on a row lock while writing `table`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while True:
        async with get_pool().acquire() as connection:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE $1",
                f"%{table}%",
            )
        if waiting:
            return
        if loop.time() > deadline:
            raise AssertionError(f"no writer waited on {table}")
        await asyncio.sleep(0.05)


async def test_an_edit_leaves_a_concurrent_stock_change_alone(catalog: Catalog) -> None:
    """The edit reads the product, then a sale takes a unit and commits before the edit
    writes: the edit must not write back the stock it read."""
    made = await catalog.create(stock=10)
    async with get_pool().acquire() as sale, sale.transaction():
        await sale.execute(
            f"UPDATE {catalog.ref.schema}.products SET stock = stock - 1 WHERE id = $1", made.id
        )
        edit = asyncio.ensure_future(
            catalog.atomic(
                lambda: update_product(product_id=made.id, changes={"name": "Galaxy A54"})
            )
        )
        await _waiters("products")
    await edit

    stored = await catalog.product(made.id)
    assert (stored.name, stored.stock) == ("Galaxy A54", 9)


async def test_concurrent_moves_cannot_make_a_cycle(catalog: Catalog) -> None:
    phones = await catalog.atomic(lambda: create_category(name="Phones"))
    smart = await catalog.atomic(lambda: create_category(name="Smartphones"))

    async def move(child: Any, parent: Any) -> str:
        try:
            await catalog.atomic(
                lambda: update_category(category_id=child.id, changes={"parent_id": parent.id})
            )
        except CatalogError as refused:
            return refused.code
        return "moved"

    results = await asyncio.gather(move(phones, smart), move(smart, phones))

    assert sorted(results) == ["CATEGORY_CYCLE", "moved"]
    moved, stayed = (phones, smart) if results[0] == "moved" else (smart, phones)
    assert (await catalog.read(lambda: get_category(category_id=moved.id))).parent_id == stayed.id
    assert (await catalog.read(lambda: get_category(category_id=stayed.id))).parent_id is None


async def test_the_category_tree_refuses_what_makes_no_sense(catalog: Catalog) -> None:
    home = await catalog.atomic(lambda: create_category(name="Home & Garden"))
    again = await catalog.atomic(lambda: create_category(name="home garden"))
    kitchen = await catalog.atomic(lambda: create_category(name="Kitchen", parent_id=home.id))

    assert (home.slug, again.slug, slugify("!!!")) == ("home-garden", "home-garden-2", "category")
    cycle = (C.CATEGORY_CYCLE, "parentId", "A category cannot sit under itself or its own"
             " subcategories.")  # fmt: skip
    for parent in (kitchen, home):
        assert await catalog.refused(lambda p=parent: update_category(
            category_id=home.id, changes={"parent_id": p.id})) == cycle  # fmt: skip
    assert await catalog.refused(lambda: archive_category(category_id=home.id)) == (
        C.CATEGORY_NOT_EMPTY, "id", "Archive or move its subcategories first.",
    )  # fmt: skip
    await catalog.atomic(lambda: archive_category(category_id=kitchen.id))
    assert await catalog.refused(
        lambda: create_category(name="Pots", parent_id=kitchen.id)
    ) == (C.ARCHIVED, "parentId", "The category is archived.")  # fmt: skip
    assert await catalog.refused_spec("POT", category_id=kitchen.id) == (
        C.ARCHIVED,
        "categoryId",
        "The category is archived.",
    )
    assert await catalog.refused(
        lambda: create_category(name="Pots", parent_id=uuid.uuid4())
    ) == (C.NOT_FOUND, "parentId", "No such category.")  # fmt: skip
    archived = await catalog.atomic(lambda: archive_category(category_id=home.id))
    assert archived.archived_at is not None
