"""GraphQL types of customers. The phone and notes need `customers:view` on the field itself,
so a caller who reaches a customer through an order (with `orders:view`) cannot read them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.domain.customers.models import Customer as CustomerModel
from wabotiq.domain.customers.service import customer_phone
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relations import relation
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.bookings.types import Appointment
    from wabotiq.resolvers.orders.types import Order

VIEW_PII = scopes(["customers:view"])
OrderRef = Annotated["Order", strawberry.lazy("wabotiq.resolvers.orders.types")]
AppointmentRef = Annotated["Appointment", strawberry.lazy("wabotiq.resolvers.bookings.types")]


@strawberry.type(description="A customer of the business, known by their WhatsApp number.")
class Customer:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    name: str = strawberry.field(description="The customer's name, as they gave it.")
    preferred_language: str = strawberry.field(
        description="The language the customer prefers, e.g. en, sw, sheng."
    )
    tags: list[str] = strawberry.field(description="Labels the business gave the customer.")
    notes: str = strawberry.field(
        description="The business's private notes on the customer (needs customers:view).",
        directives=VIEW_PII,
    )
    opted_out: bool = strawberry.field(description="Whether the customer asked not to be messaged.")
    opted_out_at: datetime | None = strawberry.field(description="When the customer opted out.")
    created_at: datetime = strawberry.field(description="When the customer was added.")
    updated_at: datetime = strawberry.field(description="When the customer last changed.")
    customer_id: strawberry.Private[uuid.UUID]
    phone_encrypted: strawberry.Private[str]

    @strawberry.field(
        description="WhatsApp number in E.164, e.g. +254712345678 (needs customers:view).",
        directives=VIEW_PII,
    )
    def phone(self, info: Info) -> str:
        return customer_phone(
            cipher=info.context.runtime.cipher, phone_encrypted=self.phone_encrypted
        )

    @relation(
        description="The customer's orders, newest first (needs orders:view).",
        directives=scopes(["orders:view"]),
    )
    async def orders(
        self, info: Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[OrderRef]:
        orders = info.context.loaders.orders
        return await orders.customer_orders(info, self.customer_id, first=first, after=after)

    @relation(
        description="The customer's appointments, by start time (needs appointments:view).",
        directives=scopes(["appointments:view"]),
    )
    async def appointments(
        self, info: Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[AppointmentRef]:
        bookings = info.context.loaders.bookings
        return await bookings.customer_appointments(
            info, self.customer_id, first=first, after=after
        )

    @classmethod
    def from_model(cls, customer: CustomerModel) -> Customer:
        return cls(
            id=to_global_id("Customer", customer.id),
            name=customer.name,
            preferred_language=customer.preferred_language,
            tags=list(customer.tags),
            notes=customer.notes,
            opted_out=customer.opted_out_at is not None,
            opted_out_at=customer.opted_out_at,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            customer_id=customer.id,
            phone_encrypted=customer.phone_encrypted,
        )


@strawberry.type(description="The result of creating or changing a customer.")
class CustomerPayload:
    customer: Customer | None = strawberry.field(description="The customer, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.input(description="Which customers to list.")
class CustomerFilter:
    phone: str | None = strawberry.field(
        default=None, description="Only the customer with this phone (any common spelling)."
    )
    tag: str | None = strawberry.field(default=None, description="Only customers with this tag.")
    opted_out: bool | None = strawberry.field(
        default=None, description="Only customers who did (true) or did not (false) opt out."
    )


@strawberry.input(description="A new customer.")
class CustomerCreateInput:
    phone: str = strawberry.field(
        description="WhatsApp number: +254712345678, 0712345678 and 254712345678 all work."
    )
    name: str = strawberry.field(default="", description="The customer's name.")
    preferred_language: str = strawberry.field(
        default="en", description="The language the customer prefers, e.g. en, sw, sheng."
    )
    tags: list[str] = strawberry.field(default_factory=list, description="Labels to give.")
    notes: str = strawberry.field(default="", description="Private notes on the customer.")
    opted_out: bool = strawberry.field(
        default=False, description="Whether the customer asked not to be messaged."
    )


@strawberry.input(description="Changes to a customer; omitted fields stay as they are.")
class CustomerUpdateInput:
    id: strawberry.ID = strawberry.field(description="The customer to change.")
    phone: str | None = strawberry.field(default=None, description="A new WhatsApp number.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    preferred_language: str | None = strawberry.field(
        default=None, description="A new preferred language."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="The new tags, replacing the old."
    )
    notes: str | None = strawberry.field(default=None, description="New private notes.")
    opted_out: bool | None = strawberry.field(
        default=None, description="Opt the customer out of (true) or back into (false) messages."
    )
