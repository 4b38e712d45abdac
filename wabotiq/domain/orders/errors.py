"""Errors of the carts and orders area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class OrderErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE"
    VARIANT_REQUIRED = "VARIANT_REQUIRED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    CART_EMPTY = "CART_EMPTY"
    INVALID_TRANSITION = "INVALID_TRANSITION"


class OrderError(DomainError):
    """A refused cart or order operation."""

    def __init__(self, code: OrderErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


class InvalidTransition(OrderError):
    """An order cannot move from its status to the one asked for."""

    def __init__(self, *, number: str, from_status: str, to_status: str) -> None:
        super().__init__(
            OrderErrorCode.INVALID_TRANSITION,
            f"Order {number} cannot go from {from_status} to {to_status}.",
            field="status",
        )
        self.from_status = from_status
        self.to_status = to_status
