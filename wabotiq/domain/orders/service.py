"""Orders: checkout of the active cart, the status machine, and reading them back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise import connections

from wabotiq.db.outbox import emit
from wabotiq.domain.catalog import stock
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.orders.carts import (
    cart_lines,
    cart_subtotal,
    ensure_customer,
    lock_active_cart,
    money,
)
from wabotiq.domain.orders.errors import InvalidTransition, OrderError, OrderErrorCode
from wabotiq.domain.orders.models import (
    CartLine,
    CartStatus,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)

S = OrderStatus
NUMBER_PREFIX = "WB"
AGGREGATE = "order"
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PROCESSING, S.CANCELLED, S.REFUNDED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
# The goods have not left: cancelling, or refunding, puts them back in stock.
RESTOCK_FROM = frozenset({S.PENDING_PAYMENT, S.PAID, S.PROCESSING})
TIMESTAMP = {
    S.PAID: "paid_at",
    S.PROCESSING: "processing_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.CANCELLED: "cancelled_at",
    S.REFUNDED: "refunded_at",
}


def order_number(sequence: int) -> str:
    return f"{NUMBER_PREFIX}-{sequence:06d}"


async def _next_sequence() -> int:
    """Bump the tenant's counter; its row lock is held to commit, so numbers are gap-free."""
    rows = await connections.get("default").execute_query_dict(
        "UPDATE order_counter SET last_number = last_number + 1 WHERE id = 1 RETURNING last_number"
    )
    return int(rows[0]["last_number"])


def _for_sale(product: Product | None, variant: Variant | None, line: CartLine) -> bool:
    """Whether a cart line's product, and the variant it names if any, are still for sale."""
    if product is None or not product.active or product.archived_at is not None:
        return False
    if line.variant_id is None:
        return True
    return variant is not None and variant.active and variant.archived_at is None


async def _order_lines(order_id: uuid.UUID, lines: list[CartLine]) -> list[OrderLine]:
    products = {p.id: p for p in await Product.filter(id__in={line.product_id for line in lines})}
    variant_ids = {line.variant_id for line in lines if line.variant_id}
    variants = {v.id: v for v in await Variant.filter(id__in=variant_ids)} if variant_ids else {}
    built = []
    for position, line in enumerate(lines, start=1):
        product = products.get(line.product_id)
        variant = variants.get(line.variant_id) if line.variant_id else None
        if product is None or not _for_sale(product, variant, line):
            raise OrderError(
                OrderErrorCode.PRODUCT_UNAVAILABLE,
                "A product in the cart is no longer for sale; remove it first.",
                field="lines",
            )
        name = product.name
        if variant is not None and variant.attributes:
            name += " (" + ", ".join(str(v) for v in variant.attributes.values()) + ")"
        built.append(
            OrderLine(
                id=uuid.uuid4(),
                order_id=order_id,
                position=position,
                product_id=product.id,
                variant_id=line.variant_id,
                sku=variant.sku if variant is not None else product.sku,
                name=name[:300],
                unit_price=money(line.unit_price),
                quantity=line.quantity,
                line_total=money(line.unit_price * line.quantity),
            )
        )
    return built


async def checkout(*, customer_id: uuid.UUID, notes: str = "", actor: str | None = None) -> Order:
    """Turn the customer's active cart into an order awaiting payment, reserving its stock."""
    await ensure_customer(customer_id)
    cart = await lock_active_cart(customer_id=customer_id)
    lines = await cart_lines(cart_id=cart.id) if cart else []
    if cart is None or not lines:
        raise OrderError(OrderErrorCode.CART_EMPTY, "The cart is empty.", field="customerId")
    order_id = uuid.uuid4()
    built = await _order_lines(order_id, lines)
    await stock.reserve_stock(
        lines=[(line.product_id, line.variant_id, line.quantity) for line in lines],
        reference=f"order:{order_id}",
        actor=actor,
    )
    sequence = await _next_sequence()
    subtotal = cart_subtotal(lines)
    order = await Order.create(
        id=order_id,
        sequence=sequence,
        number=order_number(sequence),
        customer_id=customer_id,
        cart_id=cart.id,
        status=S.PENDING_PAYMENT,
        currency=cart.currency or lines[0].currency,
        subtotal=subtotal,
        total=subtotal,
        notes=notes.strip(),
    )
    await OrderLine.bulk_create(built)
    await OrderStatusChange.create(order_id=order.id, to_status=S.PENDING_PAYMENT, actor=actor)
    cart.status = CartStatus.CHECKED_OUT
    cart.order_id = order.id
    await cart.save(update_fields=["status", "order_id", "updated_at"])
    await _emit_created(order)
    return order


async def _emit_created(order: Order) -> None:
    await emit(
        aggregate_type=AGGREGATE,
        aggregate_id=str(order.id),
        event_type="created",
        payload={
            "number": order.number,
            "status": order.status.value,
            "customer_id": str(order.customer_id),
            "total": str(order.total),
            "currency": order.currency,
        },
    )


async def get_order(*, order_id: uuid.UUID) -> Order:
    """The order, or NOT_FOUND."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, "No such order.", field="id")
    return order


async def change_order_status(
    *, order_id: uuid.UUID, status: OrderStatus, note: str = "", actor: str | None = None
) -> Order:
    """Move an order along its lifecycle; cancelling (or refunding goods that never left)
    puts their stock back."""
    order = await Order.filter(id=order_id).select_for_update().first()
    if order is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, "No such order.", field="id")
    previous = order.status
    if status not in TRANSITIONS[previous]:
        raise InvalidTransition(number=order.number, from_status=previous, to_status=status)
    if status in {S.CANCELLED, S.REFUNDED} and previous in RESTOCK_FROM:
        await _restock(order, actor)
    order.status = status
    setattr(order, TIMESTAMP[status], datetime.now(UTC))
    await order.save(update_fields=["status", TIMESTAMP[status], "stock_released", "updated_at"])
    await OrderStatusChange.create(
        order_id=order.id, from_status=previous, to_status=status, note=note.strip(), actor=actor
    )
    await emit(
        aggregate_type=AGGREGATE,
        aggregate_id=str(order.id),
        event_type="status_changed",
        payload={
            "number": order.number,
            "from": previous.value,
            "to": status.value,
            "status": status.value,
        },
    )
    return order


async def _restock(order: Order, actor: str | None) -> None:
    if order.stock_released:
        return
    lines = await OrderLine.filter(order_id=order.id)
    await stock.release_stock(
        lines=[
            (line.product_id, line.variant_id, line.quantity)
            for line in lines
            if line.product_id is not None
        ],
        reference=f"order:{order.id}",
        actor=actor,
    )
    order.stock_released = True


async def mark_order_paid(
    *, order_id: uuid.UUID, note: str = "", actor: str | None = None
) -> Order:
    """Record that an order awaiting payment has been paid."""
    return await change_order_status(order_id=order_id, status=S.PAID, note=note, actor=actor)


async def cancel_order(*, order_id: uuid.UUID, reason: str = "", actor: str | None = None) -> Order:
    """Cancel an order that has not shipped; its stock goes back on the shelf."""
    return await change_order_status(
        order_id=order_id, status=S.CANCELLED, note=reason, actor=actor
    )


async def refund_order(*, order_id: uuid.UUID, reason: str = "", actor: str | None = None) -> Order:
    """Record a refund of a paid order."""
    return await change_order_status(order_id=order_id, status=S.REFUNDED, note=reason, actor=actor)


async def list_orders(
    *,
    limit: int,
    after_sequence: int | None = None,
    status: OrderStatus | None = None,
    customer_id: uuid.UUID | None = None,
) -> tuple[list[Order], int]:
    """A page of orders, newest first (keyset on the order number), and the total count."""
    query = Order.all()
    if status is not None:
        query = query.filter(status=status)
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    total = await query.count()
    if after_sequence is not None:
        query = query.filter(sequence__lt=after_sequence)
    rows = await query.order_by("-sequence").limit(limit)
    return list(rows), total


async def orders_for_customers(
    *, customer_ids: list[uuid.UUID], limit: int, after_sequence: int | None = None
) -> dict[uuid.UUID, tuple[list[Order], int]]:
    """For each customer, a page of their orders (newest first) and their total count, in
    three statements whatever the number of customers."""
    db = connections.get("default")
    counts = await db.execute_query_dict(
        "SELECT customer_id, count(*) AS total FROM orders"
        " WHERE customer_id = ANY($1::uuid[]) GROUP BY customer_id",
        [customer_ids],
    )
    page = await db.execute_query_dict(
        "SELECT id FROM (SELECT id, row_number() OVER"
        " (PARTITION BY customer_id ORDER BY sequence DESC) AS rank FROM orders"
        " WHERE customer_id = ANY($1::uuid[]) AND ($2::bigint IS NULL OR sequence < $2)) ranked"
        " WHERE rank <= $3",
        [customer_ids, after_sequence, limit],
    )
    rows = await Order.filter(id__in=[r["id"] for r in page]).order_by("-sequence") if page else []
    found: dict[uuid.UUID, tuple[list[Order], int]] = {
        r["customer_id"]: ([], int(r["total"])) for r in counts
    }
    for order in rows:
        found.setdefault(order.customer_id, ([], 0))[0].append(order)
    return found
