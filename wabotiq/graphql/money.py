"""Money: a decimal amount and its currency, never a float."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(description="The amount, exact to the minor unit.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. KES.")


@strawberry.input(description="An amount of money in one currency.")
class MoneyInput:
    amount: Decimal = strawberry.field(description="The amount, exact to the minor unit.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. KES.")
