"""Mutations of customers: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.customers import service
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.customers.types import (
    Customer,
    CustomerCreateInput,
    CustomerPayload,
    CustomerUpdateInput,
)

EDIT = scopes(["customers:edit"])


@strawberry.type
class CustomersMutations:
    @strawberry.mutation(
        description="Add a customer; the phone is normalised to E.164 and must be new.",
        directives=EDIT,
    )
    async def customer_create(
        self, info: Info, input: Annotated[CustomerCreateInput, INPUT]
    ) -> CustomerPayload:
        customer, errors = await mutate(
            lambda: service.create_customer(
                cipher=info.context.runtime.cipher,
                phone=input.phone,
                name=input.name,
                preferred_language=input.preferred_language,
                tags=input.tags,
                notes=input.notes,
                opted_out=input.opted_out,
            )
        )
        if customer is None:
            return CustomerPayload(customer=None, user_errors=errors)
        audit_target(info, to_global_id("Customer", customer.id))
        return CustomerPayload(customer=Customer.from_model(customer), user_errors=[])

    @strawberry.mutation(description="Change a customer.", directives=EDIT)
    async def customer_update(
        self, info: Info, input: Annotated[CustomerUpdateInput, INPUT]
    ) -> CustomerPayload:
        audit_target(info, input.id)
        customer, errors = await mutate(
            lambda: service.update_customer(
                cipher=info.context.runtime.cipher,
                customer_id=uuid_from_global_id(input.id, "Customer"),
                phone=input.phone,
                name=input.name,
                preferred_language=input.preferred_language,
                tags=input.tags,
                notes=input.notes,
                opted_out=input.opted_out,
            )
        )
        return CustomerPayload(
            customer=Customer.from_model(customer) if customer else None, user_errors=errors
        )
