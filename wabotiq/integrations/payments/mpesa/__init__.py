"""Safaricom's M-Pesa Daraja API: OAuth token, STK push, STK query and the STK callback."""

from wabotiq.integrations.payments.mpesa.callback import (
    FailureReason,
    MalformedCallback,
    StkFailed,
    StkOutcome,
    StkPaid,
    parse_stk_callback,
)
from wabotiq.integrations.payments.mpesa.client import (
    DarajaClient,
    StkPushAccepted,
    StkStatus,
)
from wabotiq.integrations.payments.mpesa.errors import DarajaError, DarajaUnavailable

__all__ = [
    "DarajaClient",
    "DarajaError",
    "DarajaUnavailable",
    "FailureReason",
    "MalformedCallback",
    "StkFailed",
    "StkOutcome",
    "StkPaid",
    "StkPushAccepted",
    "StkStatus",
    "parse_stk_callback",
]
