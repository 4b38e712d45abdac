"""Paystack counts money in the currency's subunit (kobo, cents, pesewas): 1500.50 KES is
150050. Every currency Paystack settles in has 100 subunits."""

from __future__ import annotations

from decimal import Decimal

CURRENCIES = frozenset({"KES", "NGN", "GHS", "ZAR", "USD"})
SUBUNITS = 100


def currency_code(currency: str) -> str:
    code = currency.upper()
    if code not in CURRENCIES:
        raise ValueError(f"Paystack does not settle in {currency!r}")
    return code


def to_subunit(amount: Decimal) -> int:
    """Major units to the integer Paystack wants. A fraction of a subunit is refused rather
    than rounded away: rounding would charge the customer another sum than the order's."""
    value = Decimal(amount) * SUBUNITS
    if not value.is_finite() or value != value.to_integral_value() or value <= 0:
        raise ValueError(f"not a positive amount in whole subunits: {amount}")
    return int(value)


def from_subunit(amount: int) -> Decimal:
    return Decimal(amount) / SUBUNITS
