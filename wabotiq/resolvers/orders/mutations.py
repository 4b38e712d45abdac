"""Mutations of carts and orders: parse input, call one service, map the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.orders import carts, service
from wabotiq.domain.orders.models import Cart as CartModel
from wabotiq.domain.orders.models import Order as OrderModel
from wabotiq.domain.orders.models import OrderStatus as OrderStatusModel
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.orders.types import (
    Cart,
    CartAddLineInput,
    CartPayload,
    CartRemoveLineInput,
    CartUpdateLineInput,
    CheckoutInput,
    Order,
    OrderActionInput,
    OrderPayload,
    OrderReasonInput,
    OrderUpdateStatusInput,
)

EDIT = scopes(["orders:edit"])


async def _cart_change(info: Info, action: Callable[[], Awaitable[CartModel]]) -> CartPayload:
    cart, errors = await mutate(action)
    if cart is None:
        return CartPayload(cart=None, user_errors=errors)
    audit_target(info, to_global_id("Cart", cart.id))
    return CartPayload(cart=Cart.from_model(cart), user_errors=[])


async def _order_change(
    info: Info, action: Callable[[], Awaitable[OrderModel]], *, target: str | None = None
) -> OrderPayload:
    """Run `action`; the audit entry names `target`, or else the order it made."""
    if target is not None:
        audit_target(info, target)
    order, errors = await mutate(action)
    if order is None:
        return OrderPayload(order=None, user_errors=errors)
    if target is None:
        audit_target(info, to_global_id("Order", order.id))
    return OrderPayload(order=Order.from_model(order), user_errors=[])


def _actor(info: Info) -> str | None:
    return info.context.principal.actor_id


@strawberry.type
class OrdersMutations:
    @strawberry.mutation(
        description="Put a product in a customer's cart at today's price (the cart is made if "
        "needed); adding one already there raises its quantity.",
        directives=EDIT,
    )
    async def cart_add_line(
        self, info: Info, input: Annotated[CartAddLineInput, INPUT]
    ) -> CartPayload:
        return await _cart_change(
            info,
            lambda: carts.add_cart_line(
                customer_id=uuid_from_global_id(input.customer_id, "Customer"),
                product_id=uuid_from_global_id(input.product_id, "Product"),
                variant_id=uuid_from_global_id(input.variant_id, "ProductVariant")
                if input.variant_id
                else None,
                quantity=input.quantity,
            ),
        )

    @strawberry.mutation(
        description="Change a cart line's quantity; its price stays as it was.", directives=EDIT
    )
    async def cart_update_line(
        self, info: Info, input: Annotated[CartUpdateLineInput, INPUT]
    ) -> CartPayload:
        return await _cart_change(
            info,
            lambda: carts.update_cart_line(
                line_id=uuid_from_global_id(input.line_id, "CartLine"), quantity=input.quantity
            ),
        )

    @strawberry.mutation(description="Take a line out of its cart.", directives=EDIT)
    async def cart_remove_line(
        self, info: Info, input: Annotated[CartRemoveLineInput, INPUT]
    ) -> CartPayload:
        return await _cart_change(
            info,
            lambda: carts.remove_cart_line(line_id=uuid_from_global_id(input.line_id, "CartLine")),
        )

    @strawberry.mutation(
        description="Turn a customer's cart into an order awaiting payment, reserving its stock.",
        directives=EDIT,
    )
    async def checkout(self, info: Info, input: Annotated[CheckoutInput, INPUT]) -> OrderPayload:
        return await _order_change(
            info,
            lambda: service.checkout(
                customer_id=uuid_from_global_id(input.customer_id, "Customer"),
                notes=input.notes,
                actor=_actor(info),
            ),
        )

    @strawberry.mutation(description="Record that an order has been paid.", directives=EDIT)
    async def order_mark_paid(
        self, info: Info, input: Annotated[OrderActionInput, INPUT]
    ) -> OrderPayload:
        return await _order_change(
            info,
            lambda: service.mark_order_paid(
                order_id=uuid_from_global_id(input.id, "Order"), note=input.note, actor=_actor(info)
            ),
            target=input.id,
        )

    @strawberry.mutation(
        description="Move an order to another status; only its lifecycle's steps are allowed.",
        directives=EDIT,
    )
    async def order_update_status(
        self, info: Info, input: Annotated[OrderUpdateStatusInput, INPUT]
    ) -> OrderPayload:
        return await _order_change(
            info,
            lambda: service.change_order_status(
                order_id=uuid_from_global_id(input.id, "Order"),
                status=OrderStatusModel[input.status.name],
                note=input.note,
                actor=_actor(info),
            ),
            target=input.id,
        )

    @strawberry.mutation(
        description="Cancel an order that has not shipped; its stock goes back.", directives=EDIT
    )
    async def order_cancel(
        self, info: Info, input: Annotated[OrderReasonInput, INPUT]
    ) -> OrderPayload:
        return await _order_change(
            info,
            lambda: service.cancel_order(
                order_id=uuid_from_global_id(input.id, "Order"),
                reason=input.reason,
                actor=_actor(info),
            ),
            target=input.id,
        )

    @strawberry.mutation(description="Record that a paid order was refunded.", directives=EDIT)
    async def order_refund(
        self, info: Info, input: Annotated[OrderReasonInput, INPUT]
    ) -> OrderPayload:
        return await _order_change(
            info,
            lambda: service.refund_order(
                order_id=uuid_from_global_id(input.id, "Order"),
                reason=input.reason,
                actor=_actor(info),
            ),
            target=input.id,
        )
