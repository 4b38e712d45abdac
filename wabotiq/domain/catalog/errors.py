"""Errors of the catalog area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class CatalogErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    SKU_TAKEN = "SKU_TAKEN"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ARCHIVED = "ARCHIVED"
    CATEGORY_CYCLE = "CATEGORY_CYCLE"
    CATEGORY_NOT_EMPTY = "CATEGORY_NOT_EMPTY"
    VARIANT_REQUIRED = "VARIANT_REQUIRED"
    NEGATIVE_STOCK = "NEGATIVE_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"


class CatalogError(DomainError):
    """A refused catalog operation."""

    def __init__(self, code: CatalogErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


def not_found(what: str, field: str = "id") -> CatalogError:
    """NOT_FOUND for a `what` that does not exist (in this tenant)."""
    return CatalogError(CatalogErrorCode.NOT_FOUND, f"No such {what}.", field=field)


class OutOfStock(CatalogError):
    """Not enough stock of one SKU to reserve; `sku` names it for the caller."""

    def __init__(self, *, sku: str, requested: int, available: int) -> None:
        super().__init__(
            CatalogErrorCode.OUT_OF_STOCK,
            f"Only {available} of {sku} in stock; {requested} requested.",
            field="lines",
        )
        self.sku = sku
        self.requested = requested
        self.available = available
