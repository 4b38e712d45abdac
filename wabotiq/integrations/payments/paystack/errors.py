"""What a Paystack call can fail with, split by what the caller should do about it."""

from __future__ import annotations


class PaystackError(Exception):
    """Paystack refused the request: its `status: false` body's `message` (and `code` where it
    sends one, such as `transaction_not_found`). Sending the same request again will be refused
    again."""

    retryable = False

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.status = status


class PaystackUnavailable(PaystackError):
    """Paystack did not answer usefully (a 5xx, a timeout, a dropped connection). The request
    may or may not have been acted on, so the caller retries later or asks with `verify`."""

    retryable = True
