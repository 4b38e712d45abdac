"""A stand-in for Daraja behind `httpx.MockTransport`: the documented endpoints, Basic auth for
the token, bearer tokens for the calls, the STK password checked Daraja's way, and its JSON."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BASE_URL = "https://daraja.test"
CONSUMER_KEY = "consumer-key"
CONSUMER_SECRET = "consumer-secret"
SHORTCODE = "174379"
PASSKEY = "test-passkey"
# 09:30:05 UTC is 12:30:05 in Nairobi.
START = datetime(2026, 3, 1, 9, 30, 5, tzinfo=UTC)
TIMESTAMP = "20260301123005"

STK_PUSH_FIELDS = {
    "BusinessShortCode",
    "Password",
    "Timestamp",
    "TransactionType",
    "Amount",
    "PartyA",
    "PartyB",
    "PhoneNumber",
    "CallBackURL",
    "AccountReference",
    "TransactionDesc",
}
STK_QUERY_FIELDS = {"BusinessShortCode", "Password", "Timestamp", "CheckoutRequestID"}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


def error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"requestId": "1459-15094918-1", "errorCode": code, "errorMessage": message}
    )


@dataclass
class FakeDaraja:
    expires_in: str = "3599"
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    stk_pushes: list[dict[str, Any]] = field(default_factory=list)
    stk_queries: list[dict[str, Any]] = field(default_factory=list)
    bearers: list[str] = field(default_factory=list)
    # What the next STK call answers instead of success (an error response, or an exception).
    fail_with: httpx.Response | Exception | None = None
    query_result: tuple[str, str] = ("0", "The service request is processed successfully.")
    # While set, token requests wait on it: lets a test hold a fetch in flight.
    token_gate: asyncio.Event | None = None

    def revoke_all(self) -> None:
        self.valid_tokens.clear()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "daraja.test"
        if request.url.path == "/oauth/v1/generate":
            return await self._token(request)
        if request.url.path == "/mpesa/stkpush/v1/processrequest":
            return self._stk(request, STK_PUSH_FIELDS, self.stk_pushes)
        if request.url.path == "/mpesa/stkpushquery/v1/query":
            return self._stk(request, STK_QUERY_FIELDS, self.stk_queries)
        return error(404, "404.001.01", "Resource not found")

    async def _token(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        assert request.url.params["grant_type"] == "client_credentials"
        expected = base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return error(400, "400.008.01", "Invalid Authentication passed")
        self.tokens_issued += 1
        if self.token_gate is not None:
            await self.token_gate.wait()
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return httpx.Response(200, json={"access_token": token, "expires_in": self.expires_in})

    def _stk(
        self, request: httpx.Request, fields: set[str], log: list[dict[str, Any]]
    ) -> httpx.Response:
        assert request.method == "POST"
        auth = request.headers.get("Authorization", "")
        bearer = auth.removeprefix("Bearer ")
        self.bearers.append(bearer)
        if not auth.startswith("Bearer ") or bearer not in self.valid_tokens:
            return error(401, "404.001.03", "Invalid Access Token")
        body = json.loads(request.content)
        assert set(body) == fields
        assert body["BusinessShortCode"] == SHORTCODE
        password = base64.b64encode(f"{SHORTCODE}{PASSKEY}{body['Timestamp']}".encode()).decode()
        if body["Password"] != password:
            return error(400, "400.002.05", "Invalid Request Payload")
        log.append(body)
        if self.fail_with is not None:
            if isinstance(self.fail_with, Exception):
                raise self.fail_with
            return self.fail_with
        ids = {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": "ws_CO_191220191020363925",
        }
        if "CheckoutRequestID" in body:
            code, desc = self.query_result
            return httpx.Response(
                200,
                json={
                    "ResponseCode": "0",
                    "ResponseDescription": "The service request has been accepted successsfully",
                    **ids,
                    "CheckoutRequestID": body["CheckoutRequestID"],
                    "ResultCode": code,
                    "ResultDesc": desc,
                },
            )
        return httpx.Response(
            200,
            json={
                **ids,
                "ResponseCode": "0",
                "ResponseDescription": "Success. Request accepted for processing",
                "CustomerMessage": "Success. Request accepted for processing",
            },
        )
