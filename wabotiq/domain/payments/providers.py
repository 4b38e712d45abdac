"""The `PaymentProvider` interface checkout goes through, and the manual provider every tenant
has: the shop's own instructions (an M-Pesa till, a paybill, a bank account), the order left in
`pending_payment` until a person marks it paid. Providers that take money themselves (M-Pesa
STK push, Paystack, Pesapal, Stripe) implement the same interface."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from wabotiq.domain.assistant.service import assistant_settings


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What is to be paid: an order, its amount and who pays."""

    order_id: uuid.UUID
    order_number: str
    amount: Decimal
    currency: str
    customer_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class PaymentPrompt:
    """What the customer is told to pay with: instructions to follow, a link to open, or a
    prompt already on their phone. `reference` is what the payment must quote."""

    provider: str
    reference: str
    instructions: str = ""
    url: str | None = None


class PaymentProvider(Protocol):
    name: str

    async def request_payment(self, request: PaymentRequest) -> PaymentPrompt:
        """Start collecting `request`; never marks the order paid by itself."""
        ...


class ManualPayment:
    """The shop's own payment instructions; an empty setting gives a prompt with none, and the
    caller says a person will send them."""

    name = "manual"

    async def request_payment(self, request: PaymentRequest) -> PaymentPrompt:
        settings = await assistant_settings()
        return PaymentPrompt(
            provider=self.name,
            reference=request.order_number,
            instructions=settings.payment_instructions,
        )


async def payment_provider() -> PaymentProvider:
    """The provider checkout uses for this tenant (the current tenant context)."""
    return ManualPayment()
