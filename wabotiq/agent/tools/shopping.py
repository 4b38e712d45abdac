"""The cart, checkout and orders: the order services GraphQL uses, called for the customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise.transactions import in_transaction

from wabotiq.agent.tools.catalog import variants
from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.orders import carts
from wabotiq.domain.orders import service as orders
from wabotiq.domain.orders.errors import OrderError, OrderErrorCode
from wabotiq.domain.orders.models import Order, OrderLine
from wabotiq.domain.payments.providers import PaymentPrompt, PaymentRequest, payment_provider


@dataclass(frozen=True, slots=True)
class CartLineView:
    line_id: str
    product_id: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    code: str = ""  # SKU


@dataclass(frozen=True, slots=True)
class CartView:
    lines: list[CartLineView]
    subtotal: Decimal
    currency: str

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True, slots=True)
class CartChange:
    """The outcome of adding or removing: the cart after it, or why not (`error` is the
    domain's code), with the variants to choose from when the product has some."""

    cart: CartView | None
    item: Item | None = None
    quantity: int = 0
    error: str | None = None
    message: str = ""
    choices: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    order_number: str | None
    total: Decimal | None
    currency: str
    lines: list[CartLineView]
    payment: PaymentPrompt | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    number: str
    status: str
    total: Decimal
    currency: str
    items: list[str]
    created_at: str


async def view_cart(ctx: ToolContext) -> CartView:
    cart = await carts.active_cart(customer_id=ctx.customer_id)
    if cart is None:
        return CartView(lines=[], subtotal=Decimal(0), currency=ctx.currency)
    lines = await carts.cart_lines(cart_id=cart.id)
    products = {p.id: p for p in await Product.filter(id__in=[line.product_id for line in lines])}
    variant_rows = {
        v.id: v
        for v in await Variant.filter(
            id__in=[line.variant_id for line in lines if line.variant_id is not None]
        )
    }
    views = []
    for line in lines:
        product = products.get(line.product_id)
        name = product.name if product else "?"
        variant = variant_rows.get(line.variant_id) if line.variant_id else None
        if variant is not None and variant.attributes:
            name += " (" + ", ".join(str(v) for v in variant.attributes.values()) + ")"
        views.append(
            CartLineView(
                line_id=str(line.id),
                product_id=str(line.product_id),
                name=name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=carts.money(line.unit_price * line.quantity),
                code=variant.sku if variant is not None else product.sku if product else "",
            )
        )
    return CartView(
        lines=views, subtotal=carts.cart_subtotal(lines), currency=cart.currency or ctx.currency
    )


async def add_to_cart(ctx: ToolContext, item: Item, quantity: int = 1) -> CartChange:
    """Add a product or one of its variants; a product with variants asks which."""
    if item.kind == "variant" and item.parent_id:
        product_id, variant_id = uuid.UUID(item.parent_id), uuid.UUID(item.id)
    elif item.kind == "product":
        product_id, variant_id = uuid.UUID(item.id), None
        choices = await variants(item.id)
        if len(choices) == 1:
            variant_id = uuid.UUID(choices[0].id)
        elif choices:
            return CartChange(cart=None, item=item, error=OrderErrorCode.VARIANT_REQUIRED.value,
                              message="Choose a variant.", choices=choices)  # fmt: skip
    else:
        return CartChange(cart=None, item=item, error=OrderErrorCode.INVALID.value,
                          message="Only products go in the cart.")  # fmt: skip
    try:
        async with in_transaction():  # a savepoint: a refusal leaves the turn usable
            await carts.add_cart_line(
                customer_id=ctx.customer_id,
                product_id=product_id,
                variant_id=variant_id,
                quantity=quantity,
            )
    except OrderError as error:
        return CartChange(cart=None, item=item, error=error.code.value, message=error.message)
    return CartChange(cart=await view_cart(ctx), item=item, quantity=quantity)


async def remove_from_cart(ctx: ToolContext, line_id: str) -> CartChange:
    try:
        async with in_transaction():
            await carts.remove_cart_line(line_id=uuid.UUID(line_id))
    except (OrderError, ValueError) as error:
        message = error.message if isinstance(error, OrderError) else "No such line."
        return CartChange(cart=None, error=OrderErrorCode.NOT_FOUND.value, message=message)
    return CartChange(cart=await view_cart(ctx))


async def checkout(ctx: ToolContext) -> CheckoutResult:
    """The cart becomes an order awaiting payment; the customer is told how to pay."""
    cart = await view_cart(ctx)
    try:
        async with in_transaction():
            order = await orders.checkout(customer_id=ctx.customer_id, actor="assistant")
    except OrderError as error:
        return CheckoutResult(None, None, cart.currency, cart.lines, None, error=error.code.value)
    provider = await payment_provider()
    prompt = await provider.request_payment(
        PaymentRequest(
            order_id=order.id,
            order_number=order.number,
            amount=order.total,
            currency=order.currency,
            customer_id=ctx.customer_id,
        )
    )
    return CheckoutResult(order.number, order.total, order.currency, cart.lines, prompt)


async def recent_orders(ctx: ToolContext, *, limit: int = 3) -> list[OrderView]:
    rows = await Order.filter(customer_id=ctx.customer_id).order_by("-sequence").limit(limit)
    names: dict[uuid.UUID, list[str]] = {}
    for line in await OrderLine.filter(order_id__in=[o.id for o in rows]).order_by("position"):
        names.setdefault(line.order_id, []).append(f"{line.quantity} × {line.name}")
    return [
        OrderView(
            number=order.number,
            status=order.status.value,
            total=order.total,
            currency=order.currency,
            items=names.get(order.id, []),
            created_at=order.created_at.isoformat(),
        )
        for order in rows
    ]
