"""Queries of customers."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.core.errors import DomainError
from wabotiq.domain.customers import service
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, id_or_none, offset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.customers.types import Customer, CustomerFilter
from wabotiq.resolvers.paging import offset_page

VIEW = scopes(["customers:view"])
FilterArg = Annotated[
    CustomerFilter | None, strawberry.argument(description="Which customers to list.")
]


IdArg = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the customer.")]


@strawberry.type
class CustomersQueries:
    @strawberry.field(description="The tenant's customers, newest first.", directives=VIEW)
    async def customers(
        self,
        info: Info,
        filter: FilterArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Customer]:
        offset, limit = offset_page(info, first, after)
        wanted = filter or CustomerFilter()
        try:
            rows, total = await service.list_customers(
                cipher=info.context.runtime.cipher,
                offset=offset,
                limit=limit,
                phone=wanted.phone,
                tag=wanted.tag,
                opted_out=wanted.opted_out,
            )
        except DomainError as exc:
            raise coded_error(exc.message, "BAD_USER_INPUT") from exc
        return offset_connection(rows, offset=offset, total=total, convert=Customer.from_model)

    @strawberry.field(description="One customer, or null when there is none.", directives=VIEW)
    async def customer(self, info: Info, id: IdArg) -> Customer | None:
        customer_id = id_or_none(id, "Customer")
        if customer_id is None:
            return None
        return await info.context.loaders.customers.customer(customer_id)
