"""Paystack: payment pages (initialize), verify, refunds and the signed webhook."""

from wabotiq.integrations.payments.paystack.client import (
    PaymentPage,
    PaystackClient,
    Refund,
    Transaction,
)
from wabotiq.integrations.payments.paystack.errors import PaystackError, PaystackUnavailable
from wabotiq.integrations.payments.paystack.webhook import (
    MalformedEvent,
    PaystackEvent,
    parse_event,
    verify_signature,
)

__all__ = [
    "MalformedEvent",
    "PaymentPage",
    "PaystackClient",
    "PaystackError",
    "PaystackEvent",
    "PaystackUnavailable",
    "Refund",
    "Transaction",
    "parse_event",
    "verify_signature",
]
