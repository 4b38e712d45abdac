"""Carts: one active cart per customer, lines with a price snapshot, totals in Decimal."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from tortoise import connections

from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.orders.errors import OrderError, OrderErrorCode
from wabotiq.domain.orders.models import Cart, CartLine, CartStatus

CENT = Decimal("0.01")
MAX_QUANTITY = 10_000
# The most an order's money columns (numeric(14,2)) hold: no cart may grow past it.
MAX_TOTAL = Decimal("999999999999.99")


def money(amount: Decimal) -> Decimal:
    """An amount rounded to the minor unit."""
    return amount.quantize(CENT)


def effective_price(product: Product, variant: Variant | None) -> Decimal:
    """What one unit costs now: the variant's own price if it has one, else the sale price if
    the product is on sale, else the product's price."""
    if variant is not None and variant.price is not None:
        return money(variant.price)
    if product.sale_price is not None:
        return money(product.sale_price)
    return money(product.price)


def cart_subtotal(lines: Iterable[CartLine]) -> Decimal:
    """The sum of the lines at their snapshot prices."""
    return money(sum((line.unit_price * line.quantity for line in lines), Decimal(0)))


def _check_quantity(quantity: int, *, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if not low <= quantity <= MAX_QUANTITY:
        raise OrderError(
            OrderErrorCode.INVALID,
            f"Quantity must be between {low} and {MAX_QUANTITY}.",
            field="quantity",
        )


async def _purchasable(
    product_id: uuid.UUID, variant_id: uuid.UUID | None
) -> tuple[Product, Variant | None]:
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, "No such product.", field="productId")
    if not product.active or product.archived_at is not None:
        raise OrderError(
            OrderErrorCode.PRODUCT_UNAVAILABLE, "This product is not for sale.", field="productId"
        )
    if variant_id is None:
        if await Variant.filter(product_id=product.id, archived_at=None).exists():
            raise OrderError(
                OrderErrorCode.VARIANT_REQUIRED,
                "Choose a variant of this product.",
                field="variantId",
            )
        return product, None
    variant = await Variant.get_or_none(id=variant_id, product_id=product.id)
    if variant is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, "No such variant.", field="variantId")
    if not variant.active or variant.archived_at is not None:
        raise OrderError(
            OrderErrorCode.PRODUCT_UNAVAILABLE, "This variant is not for sale.", field="variantId"
        )
    return product, variant


def _check_stock(product: Product, variant: Variant | None, quantity: int) -> None:
    available = variant.stock if variant is not None else product.stock
    if quantity > available:
        sku = variant.sku if variant is not None else product.sku
        raise OrderError(
            OrderErrorCode.OUT_OF_STOCK,
            f"Only {available} of {sku} in stock; {quantity} requested.",
            field="quantity",
        )


async def _check_total(
    cart: Cart, line: CartLine | None, unit_price: Decimal, quantity: int
) -> None:
    """INVALID when the cart, with `line` (None: a new one) at `quantity`, would cost more than
    an order can hold."""
    others = [
        kept for kept in await cart_lines(cart_id=cart.id) if line is None or kept.id != line.id
    ]
    if cart_subtotal(others) + unit_price * quantity > MAX_TOTAL:
        raise OrderError(
            OrderErrorCode.INVALID,
            f"A cart's total is at most {MAX_TOTAL}; order fewer.",
            field="quantity",
        )


async def active_cart(*, customer_id: uuid.UUID) -> Cart | None:
    """The customer's active cart, or None."""
    return await Cart.get_or_none(customer_id=customer_id, status=CartStatus.ACTIVE)


async def lock_active_cart(*, customer_id: uuid.UUID) -> Cart | None:
    """The customer's active cart, locked for this transaction, or None."""
    return (
        await Cart.filter(customer_id=customer_id, status=CartStatus.ACTIVE)
        .select_for_update()
        .first()
    )


async def ensure_customer(customer_id: uuid.UUID) -> None:
    """NOT_FOUND unless the customer exists."""
    if not await Customer.exists(id=customer_id):
        raise CustomerError(CustomerErrorCode.NOT_FOUND, "No such customer.", field="customerId")


async def _open_cart(customer_id: uuid.UUID) -> Cart:
    """The active cart, created if there is none (concurrent callers get the same one), locked."""
    await ensure_customer(customer_id)
    await connections.get("default").execute_query(
        "INSERT INTO carts (id, customer_id, status) VALUES ($1, $2, 'active')"
        " ON CONFLICT (customer_id) WHERE status = 'active' DO NOTHING",
        [uuid.uuid4(), customer_id],
    )
    cart = await lock_active_cart(customer_id=customer_id)
    if cart is None:  # pragma: no cover - the insert or a concurrent one made it
        raise RuntimeError("active cart vanished")
    return cart


async def add_cart_line(
    *, customer_id: uuid.UUID, product_id: uuid.UUID, variant_id: uuid.UUID | None, quantity: int
) -> Cart:
    """Put a product (or one of its variants) in the customer's cart at today's price; adding
    one already there raises its quantity and keeps its first price."""
    _check_quantity(quantity)
    product, variant = await _purchasable(product_id, variant_id)
    cart = await _open_cart(customer_id)
    if cart.currency is not None and cart.currency != product.currency:
        raise OrderError(
            OrderErrorCode.CURRENCY_MISMATCH,
            f"This cart is in {cart.currency}; the product is priced in {product.currency}.",
            field="productId",
        )
    line = await CartLine.get_or_none(cart_id=cart.id, product_id=product.id, variant_id=variant_id)
    total = quantity + (line.quantity if line else 0)
    _check_quantity(total)
    _check_stock(product, variant, total)
    unit_price = line.unit_price if line else effective_price(product, variant)
    await _check_total(cart, line, unit_price, total)
    if line is None:
        await CartLine.create(
            id=uuid.uuid4(),
            cart_id=cart.id,
            product_id=product.id,
            variant_id=variant_id,
            quantity=quantity,
            unit_price=unit_price,
            currency=product.currency,
        )
    else:
        line.quantity = total
        await line.save(update_fields=["quantity", "updated_at"])
    cart.currency = product.currency
    await cart.save(update_fields=["currency", "updated_at"])
    return cart


async def _line_in_active_cart(line_id: uuid.UUID) -> tuple[CartLine, Cart]:
    line = await CartLine.get_or_none(id=line_id)
    cart = await Cart.filter(id=line.cart_id).select_for_update().first() if line else None
    if line is None or cart is None or cart.status != CartStatus.ACTIVE:
        raise OrderError(OrderErrorCode.NOT_FOUND, "No such cart line.", field="lineId")
    return line, cart


async def update_cart_line(*, line_id: uuid.UUID, quantity: int) -> Cart:
    """Set a line's quantity, keeping its price snapshot; 0 removes the line."""
    _check_quantity(quantity, allow_zero=True)
    line, cart = await _line_in_active_cart(line_id)
    if quantity == 0:
        return await _remove(line, cart)
    product, variant = await _purchasable(line.product_id, line.variant_id)
    _check_stock(product, variant, quantity)
    await _check_total(cart, line, line.unit_price, quantity)
    line.quantity = quantity
    await line.save(update_fields=["quantity", "updated_at"])
    await cart.save(update_fields=["updated_at"])
    return cart


async def remove_cart_line(*, line_id: uuid.UUID) -> Cart:
    """Take a line out of its cart."""
    line, cart = await _line_in_active_cart(line_id)
    return await _remove(line, cart)


async def _remove(line: CartLine, cart: Cart) -> Cart:
    await line.delete()
    if not await CartLine.exists(cart_id=cart.id):
        cart.currency = None
    await cart.save(update_fields=["currency", "updated_at"])
    return cart


async def cart_lines(*, cart_id: uuid.UUID) -> list[CartLine]:
    """A cart's lines in the order they were added."""
    return list(await CartLine.filter(cart_id=cart_id).order_by("created_at", "id"))
