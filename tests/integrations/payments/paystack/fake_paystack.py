"""A stand-in for Paystack behind `httpx.MockTransport`: the documented endpoints, the secret
key as a bearer token, amounts in subunits, and its `{status, message, data}` JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE_URL = "https://paystack.test"
SECRET_KEY = "sk_test_0123456789abcdef"

INITIALIZE_FIELDS = {"email", "amount", "currency", "reference", "callback_url", "metadata"}
REFUND_FIELDS = {"transaction", "amount"}


def error(status: int, message: str, code: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"status": False, "message": message}
    if code is not None:
        body.update({"meta": {"nextStep": "Try again"}, "type": "validation_error", "code": code})
    return httpx.Response(status, json=body)


def transaction(
    reference: str, status: str, amount: int, paid_at: str | None, channel: str = "card"
) -> dict[str, Any]:
    return {
        "id": 4099260516,
        "domain": "test",
        "status": status,
        "reference": reference,
        "receipt_number": None,
        "amount": amount,
        "message": None,
        "gateway_response": "Successful" if status == "success" else "The transaction failed",
        "paid_at": paid_at,
        "created_at": "2026-03-01T09:30:05.000Z",
        "channel": channel,
        "currency": "KES",
        "ip_address": "197.232.61.1",
        "metadata": "",
        "fees": 4500,
        "customer": {"id": 181873746, "email": "wanjiku@example.com"},
    }


@dataclass
class FakePaystack:
    initialized: list[dict[str, Any]] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the next call answers instead of its normal reply (an error response, or an exception).
    fail_with: httpx.Response | Exception | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "paystack.test"
        if request.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            return error(401, "Invalid key")
        if self.fail_with is not None:
            if isinstance(self.fail_with, Exception):
                raise self.fail_with
            return self.fail_with
        path = request.url.path
        if path == "/transaction/initialize":
            return self._initialize(request)
        if path.startswith("/transaction/verify/"):
            assert request.method == "GET"
            return self._verify(path.removeprefix("/transaction/verify/"))
        if path == "/refund":
            return self._refund(request)
        return error(404, "Not found")

    def _initialize(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["Content-Type"] == "application/json"
        body = json.loads(request.content)
        assert set(body) <= INITIALIZE_FIELDS
        assert {"email", "amount"} <= set(body)
        if not isinstance(body["amount"], int):
            return error(400, "Invalid Amount Sent")
        self.initialized.append(body)
        return httpx.Response(
            200,
            json={
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": "https://checkout.paystack.com/0peioxfhpn",
                    "access_code": "0peioxfhpn",
                    "reference": body["reference"],
                },
            },
        )

    def _verify(self, reference: str) -> httpx.Response:
        self.verified.append(reference)
        found = self.transactions.get(reference)
        if found is None:
            return error(400, "Transaction reference not found", "transaction_not_found")
        return httpx.Response(
            200, json={"status": True, "message": "Verification successful", "data": found}
        )

    def _refund(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        body = json.loads(request.content)
        assert set(body) <= REFUND_FIELDS
        self.refunds.append(body)
        paid = self.transactions.get(str(body["transaction"]))
        if paid is None:
            return error(404, "Transaction not found")
        amount = body.get("amount", paid["amount"])
        if amount > paid["amount"]:
            return error(400, "Refund amount cannot be greater than transaction amount")
        return httpx.Response(
            200,
            json={
                "status": True,
                "message": "Refund has been queued for processing",
                "data": {
                    "transaction": {
                        "id": paid["id"],
                        "domain": "test",
                        "reference": paid["reference"],
                        "amount": paid["amount"],
                        "paid_at": paid["paid_at"],
                        "channel": paid["channel"],
                        "currency": paid["currency"],
                    },
                    "integration": 412829,
                    "deducted_amount": 0,
                    "channel": None,
                    "merchant_note": "Refund for transaction " + paid["reference"],
                    "customer_note": "Refund for transaction " + paid["reference"],
                    "status": "pending",
                    "refunded_by": "owner@shop.example",
                    "expected_at": "2026-03-11T09:30:05.000Z",
                    "currency": paid["currency"],
                    "domain": "test",
                    "amount": amount,
                    "fully_deducted": False,
                    "id": 1234567,
                    "createdAt": "2026-03-02T09:30:05.000Z",
                    "updatedAt": "2026-03-02T09:30:05.000Z",
                },
            },
        )
