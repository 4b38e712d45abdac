"""The carts services without HTTP or GraphQL, against real Postgres: one active cart per
customer, price snapshots and exact Decimal totals, quantities, currencies, variants required
or refused, products no longer for sale, and the largest total an order can hold."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from tests.conftest import MakeTenant
from tests.domain.orders.shop import Shop, open_shop
from wabotiq.core.settings import Settings
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.catalog.service import (
    VariantSpec,
    archive_product,
    archive_variant,
    update_product,
    update_variant,
)
from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.orders.carts import (
    MAX_QUANTITY,
    MAX_TOTAL,
    active_cart,
    add_cart_line,
    cart_lines,
    cart_subtotal,
    effective_price,
    money,
    remove_cart_line,
    update_cart_line,
)
from wabotiq.domain.orders.errors import OrderError, OrderErrorCode
from wabotiq.domain.orders.models import Cart, CartLine, CartStatus
from wabotiq.domain.orders.service import checkout


@pytest.fixture
async def shop(make_tenant: MakeTenant, settings: Settings) -> Shop:
    return await open_shop(make_tenant, settings)


async def _add(
    shop: Shop,
    customer: uuid.UUID,
    product_id: uuid.UUID,
    quantity: int = 1,
    variant_id: uuid.UUID | None = None,
) -> Cart:
    return await shop.atomic(
        lambda: add_cart_line(
            customer_id=customer, product_id=product_id, variant_id=variant_id, quantity=quantity
        )
    )


async def _refused(shop: Shop, call: Callable[[], Any], error: type[Exception] = OrderError) -> Any:
    with pytest.raises(error) as refused:
        await shop.atomic(call)
    return refused.value


def _said(refusal: Any) -> tuple[str, str | None, str]:
    return refusal.code, refusal.field, refusal.message


async def _lines(shop: Shop, customer: uuid.UUID) -> list[tuple[uuid.UUID, int, str]]:
    """(product, quantity, unit price) of the customer's active cart, in the order added."""
    cart = await shop.read(lambda: active_cart(customer_id=customer))
    if cart is None:
        return []
    lines = await shop.read(lambda: cart_lines(cart_id=cart.id))
    return [(line.product_id, line.quantity, str(line.unit_price)) for line in lines]


async def _carts(shop: Shop, customer: uuid.UUID) -> list[CartStatus]:
    rows = await shop.read(lambda: Cart.filter(customer_id=customer).order_by("created_at"))
    return [row.status for row in rows]


# Money ------------------------------------------------------------------------------------


def test_money_is_exact_decimal_in_cents() -> None:
    assert str(money(Decimal("5"))) == "5.00"
    assert money(Decimal("0.1") * 3) == Decimal("0.30")  # 0.1 * 3 in floats is not 0.3
    lines = [CartLine(unit_price=Decimal("0.10"), quantity=1) for _ in range(10_000)]
    assert str(cart_subtotal(lines)) == "1000.00"
    assert str(cart_subtotal([])) == "0.00"


def test_the_effective_price_is_the_variants_then_the_sale_then_the_list_price() -> None:
    product = Product(price=Decimal("1000.00"), sale_price=Decimal("900.00"))
    plain = Product(price=Decimal("1000.00"), sale_price=None)
    priced = Variant(price=Decimal("1250.00"))
    unpriced = Variant(price=None)
    assert effective_price(product, priced) == Decimal("1250.00")
    assert effective_price(product, unpriced) == Decimal("900.00")
    assert effective_price(product, None) == Decimal("900.00")
    assert effective_price(plain, None) == Decimal("1000.00")


async def test_lines_snapshot_the_price_and_total_exactly(shop: Shop) -> None:
    plain = await shop.product(price="0.10", stock=100)
    on_sale = await shop.product(price="2500.00", sale_price="1999.99", stock=5)
    customer = await shop.customer()

    first = await _add(shop, customer, plain.id, 3)
    cart = await _add(shop, customer, on_sale.id, 2)
    # Prices change after the customer put the goods in the cart; the cart keeps its price.
    await shop.atomic(
        lambda: update_product(product_id=plain.id, changes={"price": Decimal("0.20")})
    )
    again = await _add(shop, customer, plain.id, 2)

    assert first.id == cart.id == again.id
    assert (cart.currency, cart.status) == ("KES", CartStatus.ACTIVE)
    assert await _lines(shop, customer) == [(plain.id, 5, "0.10"), (on_sale.id, 2, "1999.99")]
    lines = await shop.read(lambda: cart_lines(cart_id=cart.id))
    assert cart_subtotal(lines) == Decimal("0.50") + Decimal("3999.98") == Decimal("4000.48")


# One active cart --------------------------------------------------------------------------


async def test_concurrent_first_adds_share_one_active_cart(shop: Shop) -> None:
    products = [await shop.product(stock=5) for _ in range(5)]
    customer = await shop.customer()

    carts = await asyncio.gather(*(_add(shop, customer, product.id) for product in products))

    assert len({cart.id for cart in carts}) == 1
    assert await _carts(shop, customer) == [CartStatus.ACTIVE]
    assert sorted(line[0] for line in await _lines(shop, customer)) == sorted(
        product.id for product in products
    )


async def test_a_checkout_closes_the_cart_and_the_next_add_opens_another(shop: Shop) -> None:
    product = await shop.product(stock=5)
    customer = await shop.customer()
    first = await _add(shop, customer, product.id)
    await shop.atomic(lambda: checkout(customer_id=customer))

    second = await _add(shop, customer, product.id, 2)

    assert second.id != first.id
    assert await _carts(shop, customer) == [CartStatus.CHECKED_OUT, CartStatus.ACTIVE]
    assert await _lines(shop, customer) == [(product.id, 2, "100.00")]


async def test_the_database_holds_one_active_cart_per_customer(shop: Shop) -> None:
    product = await shop.product()
    customer = await shop.customer()
    await _add(shop, customer, product.id)
    with pytest.raises(IntegrityError):
        await shop.atomic(
            lambda: Cart.create(id=uuid.uuid4(), customer_id=customer, status=CartStatus.ACTIVE)
        )
    assert await _carts(shop, customer) == [CartStatus.ACTIVE]


# Quantities and stock ---------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
async def test_a_quantity_out_of_range_is_refused(shop: Shop, quantity: int) -> None:
    product = await shop.product(stock=MAX_QUANTITY + 5)
    customer = await shop.customer()
    refusal = await _refused(
        shop,
        lambda: add_cart_line(
            customer_id=customer, product_id=product.id, variant_id=None, quantity=quantity
        ),
    )
    assert _said(refusal) == (
        OrderErrorCode.INVALID,
        "quantity",
        f"Quantity must be between 1 and {MAX_QUANTITY}.",
    )
    assert await _carts(shop, customer) == []


async def test_adding_counts_what_is_already_in_the_cart(shop: Shop) -> None:
    big = await shop.product(stock=MAX_QUANTITY + 5, price="1.00")
    small = await shop.product(stock=2)
    customer = await shop.customer()
    await _add(shop, customer, big.id, MAX_QUANTITY - 1)
    await _add(shop, customer, small.id, 2)

    too_many = await _refused(shop, lambda: add_cart_line(
        customer_id=customer, product_id=big.id, variant_id=None, quantity=2))  # fmt: skip
    no_more = await _refused(shop, lambda: add_cart_line(
        customer_id=customer, product_id=small.id, variant_id=None, quantity=1))  # fmt: skip

    assert _said(too_many) == (
        OrderErrorCode.INVALID,
        "quantity",
        f"Quantity must be between 1 and {MAX_QUANTITY}.",
    )
    assert _said(no_more) == (
        OrderErrorCode.OUT_OF_STOCK,
        "quantity",
        f"Only 2 of {small.sku} in stock; 3 requested.",
    )
    assert await _lines(shop, customer) == [
        (big.id, MAX_QUANTITY - 1, "1.00"),
        (small.id, 2, "100.00"),
    ]


async def test_updating_a_line_keeps_its_price_and_checks_its_stock(shop: Shop) -> None:
    product = await shop.product(price="50.00", stock=10)
    other = await shop.product(price="20.00", stock=10)
    customer = await shop.customer()
    cart = await _add(shop, customer, product.id)
    await _add(shop, customer, other.id)
    line, other_line = await shop.read(lambda: cart_lines(cart_id=cart.id))
    await shop.atomic(
        lambda: update_product(product_id=product.id, changes={"price": Decimal("75.00")})
    )

    await shop.atomic(lambda: update_cart_line(line_id=line.id, quantity=4))
    over = await _refused(shop, lambda: update_cart_line(line_id=line.id, quantity=11))
    negative = await _refused(shop, lambda: update_cart_line(line_id=line.id, quantity=-1))

    assert await _lines(shop, customer) == [(product.id, 4, "50.00"), (other.id, 1, "20.00")]
    assert _said(over) == (
        OrderErrorCode.OUT_OF_STOCK,
        "quantity",
        f"Only 10 of {product.sku} in stock; 11 requested.",
    )
    assert _said(negative) == (
        OrderErrorCode.INVALID,
        "quantity",
        f"Quantity must be between 0 and {MAX_QUANTITY}.",
    )

    await shop.atomic(lambda: update_cart_line(line_id=line.id, quantity=0))  # 0 removes it
    assert await _lines(shop, customer) == [(other.id, 1, "20.00")]
    gone = await _refused(shop, lambda: update_cart_line(line_id=line.id, quantity=1))
    assert _said(gone) == (OrderErrorCode.NOT_FOUND, "lineId", "No such cart line.")
    await shop.atomic(lambda: archive_product(product_id=other.id))
    withdrawn = await _refused(shop, lambda: update_cart_line(line_id=other_line.id, quantity=2))
    assert withdrawn.code is OrderErrorCode.PRODUCT_UNAVAILABLE


async def test_lines_of_a_checked_out_cart_cannot_change(shop: Shop) -> None:
    product = await shop.product(stock=5)
    customer = await shop.customer()
    cart = await _add(shop, customer, product.id)
    (line,) = await shop.read(lambda: cart_lines(cart_id=cart.id))
    await shop.atomic(lambda: checkout(customer_id=customer))

    for call in (
        lambda: update_cart_line(line_id=line.id, quantity=2),
        lambda: remove_cart_line(line_id=line.id),
    ):
        refusal = await _refused(shop, call)
        assert _said(refusal) == (OrderErrorCode.NOT_FOUND, "lineId", "No such cart line.")
    kept = await shop.read(lambda: CartLine.get(id=line.id))
    assert kept.quantity == 1


# Currencies -------------------------------------------------------------------------------


async def test_a_cart_holds_one_currency_until_it_is_emptied(shop: Shop) -> None:
    shillings = await shop.product(stock=5)
    dollars = await shop.product(stock=5, price="12.00")
    # A product priced before the shop changed its currency.
    await shop.read(lambda: Product.filter(id=dollars.id).update(currency="USD"))
    customer = await shop.customer()
    cart = await _add(shop, customer, shillings.id)

    mixed = await _refused(shop, lambda: add_cart_line(
        customer_id=customer, product_id=dollars.id, variant_id=None, quantity=1))  # fmt: skip
    (line,) = await shop.read(lambda: cart_lines(cart_id=cart.id))
    emptied = await shop.atomic(lambda: remove_cart_line(line_id=line.id))
    in_dollars = await _add(shop, customer, dollars.id)

    assert _said(mixed) == (
        OrderErrorCode.CURRENCY_MISMATCH,
        "productId",
        "This cart is in KES; the product is priced in USD.",
    )
    assert emptied.currency is None
    assert (in_dollars.id, in_dollars.currency) == (cart.id, "USD")
    order = await shop.atomic(lambda: checkout(customer_id=customer))
    assert (order.currency, str(order.total)) == ("USD", "12.00")


# Variants ---------------------------------------------------------------------------------


async def test_variants_are_required_where_a_product_has_them_and_refused_elsewhere(
    shop: Shop,
) -> None:
    tee = await shop.product(
        variants=[
            VariantSpec(sku=f"T-{uuid.uuid4().hex[:6]}", attributes={"size": "M"}, stock=1),
            VariantSpec(sku=f"T-{uuid.uuid4().hex[:6]}", attributes={"size": "L"}, stock=4,
                        position=1),
        ]
    )  # fmt: skip
    medium, large = await shop.variants(tee.id)
    plain = await shop.product(stock=5)
    customer = await shop.customer()

    def add(product_id: uuid.UUID, variant_id: uuid.UUID | None, quantity: int = 1) -> Any:
        return lambda: add_cart_line(
            customer_id=customer, product_id=product_id, variant_id=variant_id, quantity=quantity
        )

    refusals = {
        "no variant": await _refused(shop, add(tee.id, None)),
        "another product's": await _refused(shop, add(plain.id, medium.id)),
        "unknown": await _refused(shop, add(tee.id, uuid.uuid4())),
        "its own stock": await _refused(shop, add(tee.id, medium.id, 2)),
    }

    assert {name: _said(refusal) for name, refusal in refusals.items()} == {
        "no variant": (
            OrderErrorCode.VARIANT_REQUIRED,
            "variantId",
            "Choose a variant of this product.",
        ),
        "another product's": (OrderErrorCode.NOT_FOUND, "variantId", "No such variant."),
        "unknown": (OrderErrorCode.NOT_FOUND, "variantId", "No such variant."),
        "its own stock": (
            OrderErrorCode.OUT_OF_STOCK,
            "quantity",
            f"Only 1 of {medium.sku} in stock; 2 requested.",
        ),
    }
    assert await _carts(shop, customer) == []  # refusals leave no cart behind
    await _add(shop, customer, tee.id, 3, large.id)
    await _add(shop, customer, tee.id, 1, medium.id)
    assert await _lines(shop, customer) == [(tee.id, 3, "100.00"), (tee.id, 1, "100.00")]


async def test_variants_not_for_sale_are_refused(shop: Shop) -> None:
    tee = await shop.product(
        variants=[
            VariantSpec(sku=f"T-{uuid.uuid4().hex[:6]}", attributes={"size": "M"}, stock=3),
            VariantSpec(sku=f"T-{uuid.uuid4().hex[:6]}", attributes={"size": "L"}, stock=3,
                        position=1),
        ]
    )  # fmt: skip
    medium, large = await shop.variants(tee.id)
    customer = await shop.customer()
    await shop.atomic(lambda: archive_variant(variant_id=medium.id))
    await shop.atomic(lambda: update_variant(variant_id=large.id, changes={"active": False}))

    for variant in (medium, large):
        refusal = await _refused(shop, lambda v=variant: add_cart_line(
            customer_id=customer, product_id=tee.id, variant_id=v.id, quantity=1))  # fmt: skip
        assert _said(refusal) == (
            OrderErrorCode.PRODUCT_UNAVAILABLE,
            "variantId",
            "This variant is not for sale.",
        )
    # The inactive variant is still live: the product still needs a variant named.
    required = await _refused(shop, lambda: add_cart_line(
        customer_id=customer, product_id=tee.id, variant_id=None, quantity=1))  # fmt: skip
    assert required.code is OrderErrorCode.VARIANT_REQUIRED

    # With every variant archived the product sells alone, and its stock was written off.
    await shop.atomic(lambda: archive_variant(variant_id=large.id))
    alone = await _refused(shop, lambda: add_cart_line(
        customer_id=customer, product_id=tee.id, variant_id=None, quantity=1))  # fmt: skip
    assert _said(alone) == (
        OrderErrorCode.OUT_OF_STOCK,
        "quantity",
        f"Only 0 of {tee.sku} in stock; 1 requested.",
    )
    assert await _carts(shop, customer) == []


# Products not for sale, unknown ids -------------------------------------------------------


async def test_products_not_for_sale_and_unknown_ids_are_refused(shop: Shop) -> None:
    archived = await shop.product()
    await shop.atomic(lambda: archive_product(product_id=archived.id))
    inactive = await shop.product(active=False)
    product = await shop.product()
    customer = await shop.customer()

    def add(customer_id: uuid.UUID, product_id: uuid.UUID) -> Any:
        return lambda: add_cart_line(
            customer_id=customer_id, product_id=product_id, variant_id=None, quantity=1
        )

    found = {
        "archived": _said(await _refused(shop, add(customer, archived.id))),
        "inactive": _said(await _refused(shop, add(customer, inactive.id))),
        "unknown product": _said(await _refused(shop, add(customer, uuid.uuid4()))),
        "unknown customer": _said(
            await _refused(shop, add(uuid.uuid4(), product.id), CustomerError)
        ),
    }

    unavailable = (
        OrderErrorCode.PRODUCT_UNAVAILABLE,
        "productId",
        "This product is not for sale.",
    )
    assert found == {
        "archived": unavailable,
        "inactive": unavailable,
        "unknown product": (OrderErrorCode.NOT_FOUND, "productId", "No such product."),
        "unknown customer": (CustomerErrorCode.NOT_FOUND, "customerId", "No such customer."),
    }
    assert await shop.read(lambda: Cart.all().count()) == 0


# The largest total ------------------------------------------------------------------------


async def test_a_cart_cannot_outgrow_what_an_order_can_hold(shop: Shop) -> None:
    """An order's total is numeric(14,2): a dearer cart was a database error at checkout."""
    dearest = await shop.product(price=str(MAX_TOTAL), stock=5)
    half = await shop.product(price="600000000000.00", stock=5)
    customer = await shop.customer()
    cart = await _add(shop, customer, dearest.id)
    (line,) = await shop.read(lambda: cart_lines(cart_id=cart.id))

    refusals = [
        await _refused(shop, lambda: add_cart_line(
            customer_id=customer, product_id=dearest.id, variant_id=None, quantity=1)),
        await _refused(shop, lambda: add_cart_line(
            customer_id=customer, product_id=half.id, variant_id=None, quantity=1)),
        await _refused(shop, lambda: update_cart_line(line_id=line.id, quantity=2)),
    ]  # fmt: skip

    for refusal in refusals:
        assert _said(refusal) == (
            OrderErrorCode.INVALID,
            "quantity",
            f"A cart's total is at most {MAX_TOTAL}; order fewer.",
        )
    assert await _lines(shop, customer) == [(dearest.id, 1, str(MAX_TOTAL))]
    order = await shop.atomic(lambda: checkout(customer_id=customer))
    assert str((await shop.order(order.id)).total) == "999999999999.99"
    assert await shop.stock(dearest.id) == 4
