"""`PaystackClient`: the Paystack calls a shop makes for a customer's payment. One client per
tenant secret key; every call carries it as a bearer token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from wabotiq.integrations.payments.paystack.amounts import (
    currency_code,
    from_subunit,
    to_subunit,
)
from wabotiq.integrations.payments.paystack.errors import PaystackError, PaystackUnavailable

INITIALIZE_PATH = "/transaction/initialize"
VERIFY_PATH = "/transaction/verify/"
REFUND_PATH = "/refund"


@dataclass(frozen=True, slots=True)
class PaymentPage:
    """Paystack opened a payment: the customer pays at `authorization_url`. Nothing is paid
    yet: the webhook or `verify` tells."""

    authorization_url: str
    access_code: str
    reference: str


@dataclass(frozen=True, slots=True)
class Transaction:
    """Paystack's word on a payment. Only `status == "success"` is money in; `failed`,
    `abandoned` (the customer left the page), `ongoing`, `pending`, `reversed` are not."""

    reference: str
    status: str
    amount: Decimal  # major units
    currency: str
    paid_at: datetime | None
    channel: str | None  # card, mobile_money, bank, ...

    @property
    def paid(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund Paystack took on; it is usually `pending` and completes later."""

    id: int
    status: str
    amount: Decimal  # major units
    currency: str
    transaction_reference: str | None


def _data(body: Mapping[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise PaystackError("Paystack's reply has no data object")
    return data


def _field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or isinstance(value, dict | list | bool) or str(value) == "":
        raise PaystackError(f"Paystack's reply has no {key}")
    return str(value)


def _subunits(data: Mapping[str, Any], key: str = "amount") -> Decimal:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PaystackError(f"Paystack's reply has no whole-number {key}")
    return from_subunit(value)


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _timestamp(value: object) -> datetime | None:
    if value is None:
        return None  # not paid: failed and abandoned payments have no paid_at
    if not isinstance(value, str):
        raise PaystackError("Paystack's paid_at is not a timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PaystackError("Paystack's paid_at is not a timestamp") from exc
    if moment.tzinfo is None:
        raise PaystackError("Paystack's paid_at has no time zone")
    return moment


class PaystackClient:
    def __init__(self, base_url: str, secret_key: str, http_client: httpx.AsyncClient) -> None:
        self._base_url = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {secret_key}"}
        self._http = http_client

    async def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(
                method, self._base_url + path, headers=self._auth, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise PaystackUnavailable(f"Paystack timed out: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise PaystackUnavailable(f"Paystack unreachable: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        if response.is_success and body.get("status") is True:
            return body
        code = body.get("code")
        message = str(body.get("message") or response.reason_phrase or "no message")
        kind = PaystackUnavailable if response.status_code >= 500 else PaystackError
        raise kind(
            message,
            code=code if isinstance(code, str) and code else None,
            status=response.status_code,
        )

    async def initialize(
        self,
        email: str,
        amount: Decimal,
        currency: str,
        reference: str,
        callback_url: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> PaymentPage:
        """A payment page for `amount` (major units). Our `reference` is sent, so a retried
        call after a timeout is refused by Paystack as a duplicate instead of charging twice."""
        if not reference:
            raise ValueError("a reference is required")
        payload: dict[str, Any] = {
            "email": email,
            "amount": to_subunit(amount),
            "currency": currency_code(currency),
            "reference": reference,
            "callback_url": callback_url,
        }
        if metadata is not None:
            payload["metadata"] = dict(metadata)
        data = _data(await self._send("POST", INITIALIZE_PATH, json=payload))
        return PaymentPage(
            authorization_url=_field(data, "authorization_url"),
            access_code=_field(data, "access_code"),
            reference=_field(data, "reference"),
        )

    async def verify(self, reference: str) -> Transaction:
        """The check before a webhook's success is trusted, and the reconciliation's question."""
        if not reference:
            raise ValueError("a reference is required")
        body = await self._send("GET", VERIFY_PATH + quote(reference, safe=""))
        data = _data(body)
        return Transaction(
            reference=_field(data, "reference"),
            status=_field(data, "status"),
            amount=_subunits(data),
            currency=_field(data, "currency").upper(),
            paid_at=_timestamp(data.get("paid_at")),
            channel=_optional_text(data, "channel"),
        )

    async def refund(
        self, transaction_or_reference: str | int, amount: Decimal | None = None
    ) -> Refund:
        """All of a payment back, or `amount` (major units) of it."""
        if transaction_or_reference in ("", None):
            raise ValueError("a transaction id or reference is required")
        payload: dict[str, Any] = {"transaction": transaction_or_reference}
        if amount is not None:
            payload["amount"] = to_subunit(amount)
        data = _data(await self._send("POST", REFUND_PATH, json=payload))
        transaction = data.get("transaction")
        reference = (
            _optional_text(transaction, "reference") if isinstance(transaction, dict) else None
        )
        refund_id = data.get("id")
        if isinstance(refund_id, bool) or not isinstance(refund_id, int):
            raise PaystackError("Paystack's refund reply has no id")
        return Refund(
            id=refund_id,
            status=_field(data, "status"),
            amount=_subunits(data),
            currency=_field(data, "currency").upper(),
            transaction_reference=reference,
        )
