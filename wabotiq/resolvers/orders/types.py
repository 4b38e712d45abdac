"""GraphQL types of carts and orders."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.domain.orders import models
from wabotiq.domain.orders.carts import cart_subtotal, money
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.money import Money
from wabotiq.graphql.relations import relation, required
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.catalog.types import Product, ProductVariant
    from wabotiq.resolvers.customers.types import Customer

ProductRef = Annotated["Product", strawberry.lazy("wabotiq.resolvers.catalog.types")]
VariantRef = Annotated["ProductVariant", strawberry.lazy("wabotiq.resolvers.catalog.types")]
CustomerRef = Annotated["Customer", strawberry.lazy("wabotiq.resolvers.customers.types")]


@strawberry.enum(description="Where an order is in its lifecycle.")
class OrderStatus(Enum):
    PENDING_PAYMENT = strawberry.enum_value(
        "pending_payment", description="Placed; stock is reserved and payment is awaited."
    )
    PAID = strawberry.enum_value("paid", description="Paid; waiting to be prepared.")
    PROCESSING = strawberry.enum_value("processing", description="Being prepared.")
    SHIPPED = strawberry.enum_value("shipped", description="On its way to the customer.")
    DELIVERED = strawberry.enum_value("delivered", description="Received by the customer.")
    CANCELLED = strawberry.enum_value(
        "cancelled", description="Cancelled before shipping; its stock was put back."
    )
    REFUNDED = strawberry.enum_value("refunded", description="The payment was given back.")


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=money(amount), currency=currency)


@strawberry.type(description="One product (or variant) in a cart, at the price when added.")
class CartLine:
    id: strawberry.ID = strawberry.field(description="Global ID of the cart line.")
    quantity: int = strawberry.field(description="How many units.")
    unit_price: Money = strawberry.field(description="The price of one unit when it was added.")
    line_total: Money = strawberry.field(description="Unit price times quantity.")
    product_id: strawberry.Private[uuid.UUID]
    variant_id: strawberry.Private[uuid.UUID | None]

    @relation(description="The product in the cart.")
    async def product(self, info: Info) -> ProductRef | None:
        return await info.context.loaders.catalog.product(self.product_id)

    @relation(description="The chosen variant, if the product has variants.")
    async def variant(self, info: Info) -> VariantRef | None:
        return await info.context.loaders.catalog.variant(self.product_id, self.variant_id)

    @classmethod
    def from_model(cls, line: models.CartLine) -> CartLine:
        return cls(
            id=to_global_id("CartLine", line.id),
            quantity=line.quantity,
            unit_price=_money(line.unit_price, line.currency),
            line_total=_money(line.unit_price * line.quantity, line.currency),
            product_id=line.product_id,
            variant_id=line.variant_id,
        )


@strawberry.type(description="A customer's cart: what they mean to buy.")
class Cart:
    id: strawberry.ID = strawberry.field(description="Global ID of the cart.")
    updated_at: datetime = strawberry.field(description="When the cart last changed.")
    cart_id: strawberry.Private[uuid.UUID]
    customer_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str | None]

    @relation(description="The customer whose cart it is.")
    async def customer(self, info: Info) -> CustomerRef:
        found = await info.context.loaders.customers.customer(self.customer_id)
        return required(found, f"customer {self.customer_id}")

    @relation(description="The lines, in the order they were added.")
    async def lines(self, info: Info) -> list[CartLine]:
        return await info.context.loaders.orders.cart_lines_of(self)

    @relation(description="How many units the cart holds.")
    async def item_count(self, info: Info) -> int:
        rows = await info.context.loaders.orders.cart_rows_of(self)
        return sum(row.quantity for row in rows)

    @relation(description="The sum of the lines; null while the cart is empty.")
    async def subtotal(self, info: Info) -> Money | None:
        rows = await info.context.loaders.orders.cart_rows_of(self)
        if not rows:
            return None
        return _money(cart_subtotal(rows), rows[0].currency)

    @classmethod
    def from_model(cls, cart: models.Cart) -> Cart:
        return cls(
            id=to_global_id("Cart", cart.id),
            updated_at=cart.updated_at,
            cart_id=cart.id,
            customer_id=cart.customer_id,
            currency=cart.currency,
        )


@strawberry.type(description="One line of an order, as it was when the order was placed.")
class OrderLine:
    id: strawberry.ID = strawberry.field(description="Global ID of the order line.")
    sku: str = strawberry.field(description="The SKU sold.")
    name: str = strawberry.field(description="The product's name (and variant) when sold.")
    unit_price: Money = strawberry.field(description="The price of one unit.")
    quantity: int = strawberry.field(description="How many units.")
    line_total: Money = strawberry.field(description="Unit price times quantity.")
    product_id: strawberry.Private[uuid.UUID | None]
    variant_id: strawberry.Private[uuid.UUID | None]

    @relation(description="The product sold, as it is now; null if it no longer exists.")
    async def product(self, info: Info) -> ProductRef | None:
        return await info.context.loaders.catalog.product(self.product_id)

    @relation(description="The variant sold, as it is now; null when none was chosen.")
    async def variant(self, info: Info) -> VariantRef | None:
        return await info.context.loaders.catalog.variant(self.product_id, self.variant_id)

    @classmethod
    def from_model(cls, line: models.OrderLine, currency: str) -> OrderLine:
        return cls(
            id=to_global_id("OrderLine", line.id),
            sku=line.sku,
            name=line.name,
            unit_price=_money(line.unit_price, currency),
            quantity=line.quantity,
            line_total=_money(line.line_total, currency),
            product_id=line.product_id,
            variant_id=line.variant_id,
        )


@strawberry.type(description="One change of an order's status.")
class OrderStatusChange:
    from_status: OrderStatus | None = strawberry.field(
        description="The status before; null for the order's creation."
    )
    to_status: OrderStatus = strawberry.field(description="The status after.")
    note: str = strawberry.field(description="Why, as given (e.g. a cancellation reason).")
    created_at: datetime = strawberry.field(description="When it changed.")

    @classmethod
    def from_model(cls, change: models.OrderStatusChange) -> OrderStatusChange:
        return cls(
            from_status=OrderStatus(change.from_status) if change.from_status else None,
            to_status=OrderStatus(change.to_status),
            note=change.note,
            created_at=change.created_at,
        )


@strawberry.type(description="A customer's order.")
class Order:
    id: strawberry.ID = strawberry.field(description="Global ID of the order.")
    number: str = strawberry.field(description="The order's number for people, e.g. WB-000123.")
    status: OrderStatus = strawberry.field(description="Where the order is in its lifecycle.")
    subtotal: Money = strawberry.field(description="The sum of the lines.")
    total: Money = strawberry.field(description="What the customer pays.")
    notes: str = strawberry.field(description="Notes given at checkout.")
    created_at: datetime = strawberry.field(description="When the order was placed.")
    updated_at: datetime = strawberry.field(description="When the order last changed.")
    paid_at: datetime | None = strawberry.field(description="When it was paid.")
    processing_at: datetime | None = strawberry.field(description="When preparing began.")
    shipped_at: datetime | None = strawberry.field(description="When it shipped.")
    delivered_at: datetime | None = strawberry.field(description="When it was delivered.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    refunded_at: datetime | None = strawberry.field(description="When it was refunded.")
    order_id: strawberry.Private[uuid.UUID]
    customer_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]

    @relation(description="The customer who placed the order.")
    async def customer(self, info: Info) -> CustomerRef:
        found = await info.context.loaders.customers.customer(self.customer_id)
        return required(found, f"customer {self.customer_id}")

    @relation(description="What was ordered.")
    async def lines(self, info: Info) -> list[OrderLine]:
        return await info.context.loaders.orders.lines_of(self)

    @relation(description="Every change of status, oldest first.")
    async def history(self, info: Info) -> list[OrderStatusChange]:
        return await info.context.loaders.orders.history_of(self)

    @classmethod
    def from_model(cls, order: models.Order) -> Order:
        return cls(
            id=to_global_id("Order", order.id),
            number=order.number,
            status=OrderStatus(order.status),
            subtotal=_money(order.subtotal, order.currency),
            total=_money(order.total, order.currency),
            notes=order.notes,
            created_at=order.created_at,
            updated_at=order.updated_at,
            paid_at=order.paid_at,
            processing_at=order.processing_at,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            cancelled_at=order.cancelled_at,
            refunded_at=order.refunded_at,
            order_id=order.id,
            customer_id=order.customer_id,
            currency=order.currency,
        )


@strawberry.type(description="The result of changing a cart.")
class CartPayload:
    cart: Cart | None = strawberry.field(description="The cart, when the change succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of checking out or changing an order.")
class OrderPayload:
    order: Order | None = strawberry.field(description="The order, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.input(description="Which orders to list.")
class OrderFilter:
    status: OrderStatus | None = strawberry.field(
        default=None, description="Only orders in this status."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this customer's orders."
    )


@strawberry.input(description="A product (or one of its variants) to put in a cart.")
class CartAddLineInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer whose cart it is.")
    product_id: strawberry.ID = strawberry.field(description="The product.")
    variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The variant; required when the product has variants."
    )
    quantity: int = strawberry.field(default=1, description="How many units to add.")


@strawberry.input(description="A new quantity for a cart line.")
class CartUpdateLineInput:
    line_id: strawberry.ID = strawberry.field(description="The cart line.")
    quantity: int = strawberry.field(description="The new quantity; 0 removes the line.")


@strawberry.input(description="A cart line to remove.")
class CartRemoveLineInput:
    line_id: strawberry.ID = strawberry.field(description="The cart line.")


@strawberry.input(description="Whose cart to turn into an order.")
class CheckoutInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer whose cart it is.")
    notes: str = strawberry.field(default="", description="Notes for the order.")


@strawberry.input(description="An order and a note on why it changes.")
class OrderActionInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    note: str = strawberry.field(default="", description="Why, for the order's history.")


@strawberry.input(description="An order to cancel or refund, and why.")
class OrderReasonInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    reason: str = strawberry.field(default="", description="Why, for the order's history.")


@strawberry.input(description="An order and the status to move it to.")
class OrderUpdateStatusInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    status: OrderStatus = strawberry.field(description="The status to move it to.")
    note: str = strawberry.field(default="", description="Why, for the order's history.")


@strawberry.enum(description="What happened to an order.")
class OrderEventType(Enum):
    CREATED = strawberry.enum_value("created", description="The order was placed.")
    STATUS_CHANGED = strawberry.enum_value(
        "status_changed", description="The order moved to another status."
    )


@strawberry.type(description="Something that happened to one of the tenant's orders.")
class OrderEvent:
    event_type: OrderEventType = strawberry.field(description="What happened.")
    status: OrderStatus = strawberry.field(
        description="The order's status right after this event (order.status may be later)."
    )
    order: Order = strawberry.field(description="The order as it is when the event is sent.")
    previous_status: OrderStatus | None = strawberry.field(
        description="The status before a status change; null for a new order."
    )
    occurred_at: datetime = strawberry.field(description="When it happened.")
