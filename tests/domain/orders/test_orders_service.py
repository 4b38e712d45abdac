"""The orders services without HTTP or GraphQL, against real Postgres: the status machine as a
table derived from `TRANSITIONS`, checkout (money, lines, stock reserved all or nothing),
cancellations releasing stock exactly once, order numbers, races, and reading orders back."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import OWNER_PASSWORD, MakeTenant
from tests.domain.orders.shop import Shop, open_shop
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef
from wabotiq.domain.catalog.errors import CatalogErrorCode, OutOfStock
from wabotiq.domain.catalog.service import (
    VariantSpec,
    archive_product,
    archive_variant,
    update_product,
)
from wabotiq.domain.catalog.stock import StockReason, adjust_stock
from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.orders.carts import active_cart, add_cart_line, cart_lines, remove_cart_line
from wabotiq.domain.orders.errors import InvalidTransition, OrderError, OrderErrorCode
from wabotiq.domain.orders.models import Cart, CartStatus, Order, OrderLine, OrderStatus
from wabotiq.domain.orders.service import (
    TIMESTAMP,
    TRANSITIONS,
    cancel_order,
    change_order_status,
    checkout,
    get_order,
    list_orders,
    mark_order_paid,
    order_number,
    orders_for_customers,
    refund_order,
)
from wabotiq.domain.tenants.provisioning import create_tenant

S = OrderStatus
FIRST = S.PENDING_PAYMENT
# The goods leave the shop when the order ships: until then, cancelling or refunding puts
# them back on the shelf.
GOODS_IN_SHOP = {S.PENDING_PAYMENT, S.PAID, S.PROCESSING}
STOCK, BOUGHT = 5, 2


def _path_to(target: OrderStatus) -> list[OrderStatus]:
    """The shortest walk of allowed steps from a new order to `target` (breadth first)."""
    walks: deque[list[OrderStatus]] = deque([[FIRST]])
    seen = {FIRST}
    while walks:
        walk = walks.popleft()
        if walk[-1] == target:
            return walk[1:]
        for following in sorted(TRANSITIONS[walk[-1]]):
            if following not in seen:
                seen.add(following)
                walks.append([*walk, following])
    raise AssertionError(f"{target} cannot be reached from a new order")


PAIRS = [(source, target) for source in S for target in S]


def _pair_id(pair: tuple[OrderStatus, OrderStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


async def _bought(shop: Shop, quantity: int = BOUGHT, *, stock: int = STOCK) -> tuple[Order, Any]:
    """A new customer's order of `quantity` of a new product; the order and the product."""
    product = await shop.product(stock=stock)
    customer = await shop.customer()
    await shop.atomic(
        lambda: add_cart_line(
            customer_id=customer, product_id=product.id, variant_id=None, quantity=quantity
        )
    )
    order = await shop.atomic(lambda: checkout(customer_id=customer))
    return order, product


async def _move(shop: Shop, order_id: uuid.UUID, status: OrderStatus, **kwargs: Any) -> Order:
    return await shop.atomic(
        lambda: change_order_status(order_id=order_id, status=status, **kwargs)
    )


async def _refused(shop: Shop, call: Callable[[], Any], error: type[Exception]) -> Any:
    with pytest.raises(error) as refused:
        await shop.atomic(call)
    return refused.value


@pytest.fixture(scope="module")
async def table_shop(db: None, settings: Settings) -> Shop:
    """One shop for the whole transition table: each case buys its own product."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    made = await create_tenant(
        name="Transitions",
        slug=slug,
        owner_email=f"owner-{slug}@example.com",
        owner_password=OWNER_PASSWORD,
    )
    return Shop(ref=TenantRef.of(made.tenant.id), cipher=FieldCipher(settings))


@pytest.fixture
async def shop(make_tenant: MakeTenant, settings: Settings) -> Shop:
    return await open_shop(make_tenant, settings)


# The status machine -----------------------------------------------------------------------


def test_every_status_has_its_row_a_timestamp_and_a_way_in() -> None:
    assert set(TRANSITIONS) == set(S)
    for status in S:
        assert _path_to(status)[-1:] == ([] if status is FIRST else [status])
    entered = {target for targets in TRANSITIONS.values() for target in targets}
    assert set(TIMESTAMP) == entered == set(S) - {FIRST}
    assert set(TIMESTAMP.values()) <= set(Order._meta.fields_map)
    assert {status for status, targets in TRANSITIONS.items() if not targets} == {
        S.CANCELLED,
        S.REFUNDED,
    }


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[_pair_id(p) for p in PAIRS])
async def test_the_transition_table(
    table_shop: Shop, source: OrderStatus, target: OrderStatus
) -> None:
    shop = table_shop
    order, product = await _bought(shop)
    for step in _path_to(source):
        await _move(shop, order.id, step)
    history = await shop.history(order.id)
    events = await shop.events(order.id)
    stock = await shop.stock(product.id)
    assert stock == STOCK - BOUGHT or (source in {S.CANCELLED, S.REFUNDED} and stock == STOCK)

    if target not in TRANSITIONS[source]:
        refusal = await _refused(
            shop,
            lambda: change_order_status(order_id=order.id, status=target, actor="clerk"),
            InvalidTransition,
        )
        assert refusal.code is OrderErrorCode.INVALID_TRANSITION
        assert refusal.field == "status"
        assert refusal.message == (
            f"Order {order.number} cannot go from {source.value} to {target.value}."
        )
        assert (refusal.from_status, refusal.to_status) == (source, target)
        assert (await shop.order(order.id)).status is source
        assert await shop.history(order.id) == history
        assert await shop.events(order.id) == events
        assert await shop.stock(product.id) == stock
        return

    moved = await _move(shop, order.id, target, note="  step  ", actor="clerk")
    stored = await shop.order(order.id)
    assert moved.status is stored.status is target
    assert getattr(stored, TIMESTAMP[target]) is not None
    assert await shop.history(order.id) == [*history, (source.value, target.value, "step", "clerk")]
    assert await shop.events(order.id) == [
        *events,
        (
            "status_changed",
            {
                "number": order.number,
                "from": source.value,
                "to": target.value,
                "status": target.value,
            },
        ),
    ]
    restocked = target in {S.CANCELLED, S.REFUNDED} and source in GOODS_IN_SHOP
    assert await shop.stock(product.id) == (STOCK if restocked else stock)
    assert stored.stock_released is restocked


async def test_the_named_steps_record_their_reason(shop: Shop) -> None:
    order, product = await _bought(shop)
    paid = await shop.atomic(lambda: mark_order_paid(order_id=order.id, note="M-Pesa QK12"))
    refunded = await shop.atomic(
        lambda: refund_order(order_id=order.id, reason="faulty", actor="u1")
    )
    second, _ = await _bought(shop)
    cancelled = await shop.atomic(lambda: cancel_order(order_id=second.id, reason=" late "))

    assert (paid.status, refunded.status, cancelled.status) == (S.PAID, S.REFUNDED, S.CANCELLED)
    assert await shop.history(order.id) == [
        (None, "pending_payment", "", None),
        ("pending_payment", "paid", "M-Pesa QK12", None),
        ("paid", "refunded", "faulty", "u1"),
    ]
    assert (await shop.history(second.id))[-1] == ("pending_payment", "cancelled", "late", None)
    assert await shop.stock(product.id) == STOCK


async def test_unknown_orders_are_not_found(shop: Shop) -> None:
    ghost = uuid.uuid4()
    for call in (
        lambda: get_order(order_id=ghost),
        lambda: change_order_status(order_id=ghost, status=S.PAID),
        lambda: cancel_order(order_id=ghost),
    ):
        refusal = await _refused(shop, call, OrderError)
        assert (refusal.code, refusal.field, refusal.message) == (
            OrderErrorCode.NOT_FOUND,
            "id",
            "No such order.",
        )


# Stock released exactly once --------------------------------------------------------------


async def test_cancelling_releases_the_stock_once(shop: Shop) -> None:
    order, product = await _bought(shop, 3, stock=3)
    assert await shop.stock(product.id) == 0

    await shop.atomic(lambda: cancel_order(order_id=order.id, reason="changed mind"))
    again = await _refused(shop, lambda: cancel_order(order_id=order.id), InvalidTransition)
    refund = await _refused(shop, lambda: refund_order(order_id=order.id), InvalidTransition)

    assert again.code is refund.code is OrderErrorCode.INVALID_TRANSITION
    assert await shop.stock(product.id) == 3
    reference = f"order:{order.id}"
    assert await shop.movements(reference=reference) == [
        ("reservation", -3, 0),
        ("release", 3, 3),
    ]


async def test_concurrent_cancellations_release_the_stock_once(shop: Shop) -> None:
    order, product = await _bought(shop, 2, stock=2)

    async def attempt() -> str:
        try:
            await shop.atomic(lambda: cancel_order(order_id=order.id, reason="race"))
        except InvalidTransition as refused:
            return refused.code
        return "cancelled"

    results = await asyncio.gather(*(attempt() for _ in range(10)))

    assert sorted(results) == ["INVALID_TRANSITION"] * 9 + ["cancelled"]
    assert await shop.stock(product.id) == 2
    assert await shop.movements(reference=f"order:{order.id}", reason="release") == [
        ("release", 2, 2)
    ]
    assert [to for _, to, _, _ in await shop.history(order.id)] == ["pending_payment", "cancelled"]


async def test_goods_that_left_are_not_restocked_by_a_refund(shop: Shop) -> None:
    order, product = await _bought(shop)
    for status in (S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED, S.REFUNDED):
        await _move(shop, order.id, status)
    assert await shop.stock(product.id) == STOCK - BOUGHT
    assert (await shop.order(order.id)).stock_released is False
    assert await shop.movements(reference=f"order:{order.id}", reason="release") == []


async def test_a_cancellation_restocks_an_archived_product_and_variant(shop: Shop) -> None:
    product = await shop.product(
        variants=[VariantSpec(sku=f"V-{uuid.uuid4().hex[:6]}", stock=4, attributes={"c": "Red"})]
    )
    (variant,) = await shop.variants(product.id)
    customer = await shop.customer()
    await shop.atomic(
        lambda: add_cart_line(
            customer_id=customer, product_id=product.id, variant_id=variant.id, quantity=3
        )
    )
    order = await shop.atomic(lambda: checkout(customer_id=customer))
    await shop.atomic(lambda: archive_product(product_id=product.id))

    await shop.atomic(lambda: cancel_order(order_id=order.id))

    assert await shop.stock(product.id, variant.id) == 4
    assert await shop.stock(product.id) == 4


# Checkout ---------------------------------------------------------------------------------


async def test_checkout_prices_every_line_exactly_and_reserves_its_stock(shop: Shop) -> None:
    phone = await shop.product(price="15000.00", sale_price="13999.50", stock=4, name="Phone")
    tee = await shop.product(
        price="1000.00",
        sale_price="900.00",
        name="Tee",
        variants=[
            VariantSpec(sku=f"TEE-{uuid.uuid4().hex[:6]}", attributes={"size": "M",
                        "colour": "Black"}, price=Decimal("1250.00"), stock=3),
            VariantSpec(sku=f"TEE-{uuid.uuid4().hex[:6]}", attributes={"colour": "White"},
                        stock=2, position=1),
        ],
    )  # fmt: skip
    black, white = await shop.variants(tee.id)
    case = await shop.product(price="0.10", stock=100, name="Case")
    customer = await shop.customer()
    for product_id, variant_id, quantity in (
        (phone.id, None, 2),
        (tee.id, black.id, 2),
        (tee.id, white.id, 1),
        (case.id, None, 3),
        (phone.id, None, 1),  # the same line again: its quantity grows
    ):
        await shop.atomic(
            lambda p=product_id, v=variant_id, q=quantity: add_cart_line(
                customer_id=customer, product_id=p, variant_id=v, quantity=q
            )
        )
    cart = await shop.read(lambda: active_cart(customer_id=customer))
    assert cart is not None

    order = await shop.atomic(
        lambda: checkout(customer_id=customer, notes="  leave at the gate ", actor="u1")
    )

    stored = await shop.order(order.id)
    # 3 x 13999.50 + 2 x 1250.00 + 1 x 900.00 + 3 x 0.10
    assert str(stored.subtotal) == str(stored.total) == "45398.80"
    assert (stored.currency, stored.status, stored.notes) == ("KES", FIRST, "leave at the gate")
    assert (stored.number, stored.sequence, stored.cart_id) == ("WB-000001", 1, cart.id)
    lines = await shop.read(lambda: OrderLine.filter(order_id=order.id).order_by("position"))
    assert [
        (line.position, line.sku, line.name, str(line.unit_price), line.quantity,
         str(line.line_total))
        for line in lines
    ] == [
        (1, phone.sku, "Phone", "13999.50", 3, "41998.50"),
        (2, black.sku, "Tee (M, Black)", "1250.00", 2, "2500.00"),
        (3, white.sku, "Tee (White)", "900.00", 1, "900.00"),
        (4, case.sku, "Case", "0.10", 3, "0.30"),
    ]  # fmt: skip
    assert sum((line.line_total for line in lines), Decimal(0)) == stored.subtotal
    assert await shop.stock(phone.id) == 1
    assert (await shop.stock(tee.id, black.id), await shop.stock(tee.id, white.id)) == (1, 1)
    assert await shop.stock(tee.id) == 2  # the variants' total
    assert await shop.stock(case.id) == 97
    reserved = await shop.movements(reference=f"order:{order.id}")
    assert sorted(reserved) == sorted(
        [("reservation", -3, 1), ("reservation", -2, 1), ("reservation", -1, 1),
         ("reservation", -3, 97)]
    )  # fmt: skip
    checked_out = await shop.read(lambda: Cart.get(id=cart.id))
    assert (checked_out.status, checked_out.order_id) == (CartStatus.CHECKED_OUT, order.id)
    assert await shop.read(lambda: active_cart(customer_id=customer)) is None
    assert await shop.history(order.id) == [(None, "pending_payment", "", "u1")]
    assert await shop.events(order.id) == [
        (
            "created",
            {
                "number": "WB-000001",
                "status": "pending_payment",
                "customer_id": str(customer),
                "total": "45398.80",
                "currency": "KES",
            },
        )
    ]


async def test_an_out_of_stock_line_refuses_the_whole_checkout(shop: Shop) -> None:
    plenty = await shop.product(stock=5)
    scarce = await shop.product(stock=3)
    customer = await shop.customer()
    for product, quantity in ((plenty, 2), (scarce, 3)):
        await shop.atomic(
            lambda p=product, q=quantity: add_cart_line(
                customer_id=customer, product_id=p.id, variant_id=None, quantity=q
            )
        )
    # Two units are damaged after the customer filled the cart.
    await shop.atomic(
        lambda: adjust_stock(product_id=scarce.id, delta=-2, reason=StockReason.DAMAGE)
    )

    refusal = await _refused(shop, lambda: checkout(customer_id=customer), OutOfStock)

    assert refusal.code is CatalogErrorCode.OUT_OF_STOCK
    assert (refusal.sku, refusal.requested, refusal.available) == (scarce.sku, 3, 1)
    assert refusal.message == f"Only 1 of {scarce.sku} in stock; 3 requested."
    assert (await shop.stock(plenty.id), await shop.stock(scarce.id)) == (5, 1)
    assert await shop.movements(reason="reservation") == []
    assert await shop.read(lambda: Order.all().count()) == 0
    cart = await shop.read(lambda: active_cart(customer_id=customer))
    assert cart is not None
    lines = await shop.read(lambda: cart_lines(cart_id=cart.id))
    assert [(line.product_id, line.quantity) for line in lines] == [(plenty.id, 2), (scarce.id, 3)]

    # The refusal used no order number: the next order is still the first.
    await shop.atomic(lambda: remove_cart_line(line_id=lines[1].id))
    order = await shop.atomic(lambda: checkout(customer_id=customer))
    assert order.number == "WB-000001"
    assert (await shop.stock(plenty.id), await shop.stock(scarce.id)) == (3, 1)


@pytest.mark.parametrize("withdrawn", ["archived product", "inactive product", "archived variant"])
async def test_a_line_no_longer_for_sale_refuses_the_checkout(shop: Shop, withdrawn: str) -> None:
    other = await shop.product(stock=5)
    product = await shop.product(
        variants=[VariantSpec(sku=f"W-{uuid.uuid4().hex[:6]}", stock=4, attributes={"c": "Red"})]
    )
    (variant,) = await shop.variants(product.id)
    customer = await shop.customer()
    for product_id, variant_id in ((other.id, None), (product.id, variant.id)):
        await shop.atomic(
            lambda p=product_id, v=variant_id: add_cart_line(
                customer_id=customer, product_id=p, variant_id=v, quantity=1
            )
        )
    if withdrawn == "archived product":
        await shop.atomic(lambda: archive_product(product_id=product.id))
    elif withdrawn == "inactive product":
        await shop.atomic(lambda: update_product(product_id=product.id, changes={"active": False}))
    else:
        await shop.atomic(lambda: archive_variant(variant_id=variant.id))

    refusal = await _refused(shop, lambda: checkout(customer_id=customer), OrderError)

    assert (refusal.code, refusal.field) == (OrderErrorCode.PRODUCT_UNAVAILABLE, "lines")
    assert await shop.stock(other.id) == 5
    assert await shop.movements(reason="reservation") == []
    assert await shop.read(lambda: Order.all().count()) == 0
    assert await shop.read(lambda: active_cart(customer_id=customer)) is not None


async def test_checkout_needs_a_customer_and_a_cart_with_lines(shop: Shop) -> None:
    ghost = await _refused(shop, lambda: checkout(customer_id=uuid.uuid4()), CustomerError)
    assert (ghost.code, ghost.field) == (CustomerErrorCode.NOT_FOUND, "customerId")
    customer = await shop.customer()
    no_cart = await _refused(shop, lambda: checkout(customer_id=customer), OrderError)
    product = await shop.product()
    cart = await shop.atomic(
        lambda: add_cart_line(
            customer_id=customer, product_id=product.id, variant_id=None, quantity=1
        )
    )
    (line,) = await shop.read(lambda: cart_lines(cart_id=cart.id))
    await shop.atomic(lambda: remove_cart_line(line_id=line.id))
    emptied = await _refused(shop, lambda: checkout(customer_id=customer), OrderError)

    for refusal in (no_cart, emptied):
        assert (refusal.code, refusal.field, refusal.message) == (
            OrderErrorCode.CART_EMPTY,
            "customerId",
            "The cart is empty.",
        )
    assert await shop.read(lambda: Order.all().count()) == 0


async def test_the_last_unit_goes_to_exactly_one_of_two_concurrent_checkouts(shop: Shop) -> None:
    product = await shop.product(stock=1)
    customers = [await shop.customer(), await shop.customer()]
    for customer in customers:
        await shop.atomic(
            lambda c=customer: add_cart_line(
                customer_id=c, product_id=product.id, variant_id=None, quantity=1
            )
        )

    async def attempt(customer: uuid.UUID) -> str:
        try:
            return (await shop.atomic(lambda: checkout(customer_id=customer))).number
        except OutOfStock as refused:
            return refused.code

    results = await asyncio.gather(*(attempt(customer) for customer in customers))

    assert sorted(results) == ["OUT_OF_STOCK", "WB-000001"]
    assert await shop.stock(product.id) == 0
    assert await shop.movements(product_id=product.id, reason="reservation") == [
        ("reservation", -1, 0)
    ]
    loser = customers[results.index("OUT_OF_STOCK")]
    kept = await shop.read(lambda: active_cart(customer_id=loser))
    assert kept is not None and len(await shop.read(lambda: cart_lines(cart_id=kept.id))) == 1


# Order numbers ----------------------------------------------------------------------------


def test_order_numbers_are_zero_padded_to_six_digits() -> None:
    assert [order_number(n) for n in (1, 123, 999_999, 1_000_000)] == [
        "WB-000001",
        "WB-000123",
        "WB-999999",
        "WB-1000000",
    ]


async def test_order_numbers_are_consecutive_per_tenant_even_when_concurrent(
    make_tenant: MakeTenant, settings: Settings
) -> None:
    shop = await open_shop(make_tenant, settings)
    other = await open_shop(make_tenant, settings)
    product = await shop.product(stock=100)
    theirs = await other.product(stock=100)
    customers = [await shop.customer() for _ in range(12)]
    for customer in customers:
        await shop.atomic(
            lambda c=customer: add_cart_line(
                customer_id=c, product_id=product.id, variant_id=None, quantity=1
            )
        )
    elsewhere = await other.customer()
    await other.atomic(
        lambda: add_cart_line(
            customer_id=elsewhere, product_id=theirs.id, variant_id=None, quantity=1
        )
    )

    orders = await asyncio.gather(
        *(shop.atomic(lambda c=c: checkout(customer_id=c)) for c in customers),
        other.atomic(lambda: checkout(customer_id=elsewhere)),
    )

    numbers = sorted((order.sequence, order.number) for order in orders[:-1])
    assert numbers == [(n, f"WB-{n:06d}") for n in range(1, 13)]
    assert (orders[-1].sequence, orders[-1].number) == (1, "WB-000001")
    assert await shop.stock(product.id) == 88


# Reading orders back ----------------------------------------------------------------------


async def test_orders_are_listed_newest_first_by_keyset(shop: Shop) -> None:
    orders = [(await _bought(shop, 1))[0] for _ in range(4)]
    await shop.atomic(lambda: mark_order_paid(order_id=orders[1].id))

    first, total = await shop.read(lambda: list_orders(limit=2))
    rest, _ = await shop.read(lambda: list_orders(limit=2, after_sequence=first[-1].sequence))
    paid, paid_total = await shop.read(lambda: list_orders(limit=10, status=S.PAID))
    mine, mine_total = await shop.read(
        lambda: list_orders(limit=10, customer_id=orders[2].customer_id)
    )

    assert total == 4
    assert [o.number for o in first + rest] == ["WB-000004", "WB-000003", "WB-000002", "WB-000001"]
    assert ([o.number for o in paid], paid_total) == (["WB-000002"], 1)
    assert ([o.number for o in mine], mine_total) == (["WB-000003"], 1)


async def test_orders_for_customers_pages_each_customer(shop: Shop) -> None:
    product = await shop.product(stock=50)
    alice, brian, nobody = await shop.customer(), await shop.customer(), await shop.customer()
    for customer in (alice, brian, alice, alice):
        await shop.atomic(
            lambda c=customer: add_cart_line(
                customer_id=c, product_id=product.id, variant_id=None, quantity=1
            )
        )
        await shop.atomic(lambda c=customer: checkout(customer_id=c))

    pages = await shop.read(
        lambda: orders_for_customers(customer_ids=[alice, brian, nobody], limit=2)
    )
    later = await shop.read(
        lambda: orders_for_customers(customer_ids=[alice], limit=2, after_sequence=3)
    )

    assert {c: ([o.number for o in page], n) for c, (page, n) in pages.items()} == {
        alice: (["WB-000004", "WB-000003"], 3),
        brian: (["WB-000002"], 1),
    }
    assert [o.number for o in later[alice][0]] == ["WB-000001"]
