"""`DarajaClient`: the Daraja calls a shop makes for a customer's payment. One client per
tenant credential set; it holds that tenant's OAuth token and shares one fetch among callers."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from wabotiq.integrations.payments.mpesa.codes import (
    NAIROBI,
    TIMESTAMP_FORMAT,
    FailureReason,
    failure_reason,
)
from wabotiq.integrations.payments.mpesa.errors import DarajaError, DarajaUnavailable

TOKEN_PATH = "/oauth/v1/generate"
STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest"
STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query"
# Daraja's limits on the two texts the customer sees on the PIN prompt.
MAX_REFERENCE = 12
MAX_DESCRIPTION = 13
# A token is dropped this long before Daraja says it expires, so a call started with it does
# not reach Daraja just after it lapsed.
TOKEN_MARGIN = timedelta(seconds=60)
# Daraja's body for a token it does not accept (expired early, revoked), whatever the status.
INVALID_TOKEN = "404.001.03"
_PHONE = re.compile(r"254[17]\d{8}")


@dataclass(frozen=True, slots=True)
class StkPushAccepted:
    """Daraja sent the PIN prompt. Nothing is paid yet: the callback or `stk_query` tells."""

    merchant_request_id: str
    checkout_request_id: str
    response_code: str
    customer_message: str


@dataclass(frozen=True, slots=True)
class StkStatus:
    """What Daraja knows of an STK push; `reason` is None when it was paid (ResultCode 0)."""

    merchant_request_id: str
    checkout_request_id: str
    result_code: int
    result_desc: str

    @property
    def paid(self) -> bool:
        return self.result_code == 0

    @property
    def reason(self) -> FailureReason | None:
        return None if self.paid else failure_reason(self.result_code)


def kenyan_msisdn(phone: str) -> str:
    """`+254 712 345 678`, `0712345678` or `254712345678` as Daraja wants it: 254XXXXXXXXX."""
    digits = re.sub(r"[\s\-+]", "", phone)
    if digits.startswith("0"):
        digits = "254" + digits[1:]
    if not _PHONE.fullmatch(digits):
        raise ValueError(f"not a Kenyan mobile number: {phone!r}")
    return digits


def whole_shillings(amount: Decimal | int) -> int:
    """M-Pesa moves whole shillings only; a fraction is refused rather than rounded away."""
    value = Decimal(amount)
    if value != value.to_integral_value() or value < 1:
        raise ValueError(f"M-Pesa amounts are whole shillings of at least 1, not {amount}")
    return int(value)


def _field(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None or isinstance(value, dict | list):
        raise DarajaError(f"Daraja's reply has no {key}")
    return str(value)


class DarajaClient:
    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        shortcode: str,
        passkey: str,
        http_client: httpx.AsyncClient,
        clock: Callable[[], datetime],
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._basic = base64.b64encode(f"{consumer_key}:{consumer_secret}".encode()).decode()
        self._shortcode = shortcode
        self._passkey = passkey
        self._http = http_client
        self._clock = clock  # aware datetimes; a fixed one in tests
        self._token: str | None = None
        self._token_expires: datetime | None = None
        self._token_lock = asyncio.Lock()

    # --- OAuth -------------------------------------------------------------------------

    def _fresh_token(self) -> str | None:
        if self._token and self._token_expires and self._clock() < self._token_expires:
            return self._token
        return None

    async def _access_token(self, stale: str | None = None) -> str:
        """The cached token, or a new one. Callers waiting on the lock find the token the first
        one fetched, so a burst of calls costs Daraja one token request. `stale` is a token
        Daraja just refused: it is fetched anew even if the clock says it is still good."""
        token = self._fresh_token()
        if token and token != stale:
            return token
        async with self._token_lock:
            token = self._fresh_token()
            if token and token != stale:
                return token
            body = await self._send(
                "GET",
                TOKEN_PATH,
                params={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {self._basic}"},
            )
            token = _field(body, "access_token")
            try:
                lifetime = int(_field(body, "expires_in"))  # Daraja sends "3599", a string
            except ValueError as exc:
                raise DarajaError("Daraja's token reply has no numeric expires_in") from exc
            self._token = token
            self._token_expires = self._clock() + timedelta(seconds=lifetime) - TOKEN_MARGIN
            return token

    # --- the wire ----------------------------------------------------------------------

    async def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, self._base_url + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise DarajaUnavailable(f"Daraja timed out: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise DarajaUnavailable(f"Daraja unreachable: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        if response.is_success and "errorCode" not in body:
            return body
        code = None if body.get("errorCode") is None else str(body["errorCode"])
        message = str(body.get("errorMessage") or response.reason_phrase or "no message")
        kind = DarajaUnavailable if response.status_code >= 500 else DarajaError
        raise kind(
            message, code=str(code) if code is not None else None, status=response.status_code
        )

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A JSON call with the bearer token; a token Daraja rejects (401, or its
        `404.001.03` "Invalid Access Token") is replaced once, since a token can be revoked
        before its `expires_in` runs out."""
        token = await self._access_token()
        try:
            return await self._send(
                "POST", path, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        except DarajaError as exc:
            if exc.status != 401 and exc.code != INVALID_TOKEN:
                raise
        token = await self._access_token(stale=token)
        return await self._send(
            "POST", path, json=payload, headers={"Authorization": f"Bearer {token}"}
        )

    def _credentials(self) -> dict[str, str]:
        timestamp = self._clock().astimezone(NAIROBI).strftime(TIMESTAMP_FORMAT)
        raw = f"{self._shortcode}{self._passkey}{timestamp}".encode()
        return {
            "BusinessShortCode": self._shortcode,
            "Password": base64.b64encode(raw).decode(),
            "Timestamp": timestamp,
        }

    # --- the calls ---------------------------------------------------------------------

    async def stk_push(
        self,
        phone: str,
        amount: Decimal | int,
        reference: str,
        description: str,
        callback_url: str,
    ) -> StkPushAccepted:
        """The PIN prompt on the customer's phone, paying this shortcode (a paybill)."""
        if not reference or len(reference) > MAX_REFERENCE:
            raise ValueError(f"the account reference must be 1-{MAX_REFERENCE} characters")
        if not description or len(description) > MAX_DESCRIPTION:
            raise ValueError(f"the description must be 1-{MAX_DESCRIPTION} characters")
        msisdn = kenyan_msisdn(phone)
        body = await self._post(
            STK_PUSH_PATH,
            {
                **self._credentials(),
                "TransactionType": "CustomerPayBillOnline",
                "Amount": whole_shillings(amount),
                "PartyA": msisdn,
                "PartyB": self._shortcode,
                "PhoneNumber": msisdn,
                "CallBackURL": callback_url,
                "AccountReference": reference,
                "TransactionDesc": description,
            },
        )
        accepted = StkPushAccepted(
            merchant_request_id=_field(body, "MerchantRequestID"),
            checkout_request_id=_field(body, "CheckoutRequestID"),
            response_code=_field(body, "ResponseCode"),
            customer_message=str(body.get("CustomerMessage", "")),
        )
        if accepted.response_code != "0":
            raise DarajaError(
                str(body.get("ResponseDescription") or "STK push not accepted"),
                code=accepted.response_code,
            )
        return accepted

    async def stk_query(self, checkout_request_id: str) -> StkStatus:
        """Daraja's word on an STK push, the check before a callback's success is trusted.
        While the customer has not answered, Daraja replies with an error (500.001.1001, "the
        transaction is being processed"), which surfaces as a retryable `DarajaUnavailable`."""
        body = await self._post(
            STK_QUERY_PATH, {**self._credentials(), "CheckoutRequestID": checkout_request_id}
        )
        try:
            code = int(_field(body, "ResultCode"))  # Daraja sends "1032", a string
        except ValueError as exc:
            raise DarajaError("Daraja's query reply has no numeric ResultCode") from exc
        return StkStatus(
            merchant_request_id=_field(body, "MerchantRequestID"),
            checkout_request_id=_field(body, "CheckoutRequestID"),
            result_code=code,
            result_desc=str(body.get("ResultDesc", "")),
        )
