"""Phone numbers become E.164; Kenyan numbers may be written the ways people write them."""

from __future__ import annotations

import pytest

from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode
from wabotiq.domain.customers.phone import normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0712345678",
        "254712345678",
        "+254712345678",
        "+254 712 345 678",
        "+254-712-345-678",
        "00254712345678",
        "712345678",
        "(0712) 345 678",
        "+2540712345678",
    ],
)
def test_kenyan_forms_become_one_e164_number(raw: str) -> None:
    assert normalise_phone(raw) == "+254712345678"


def test_safaricom_01_numbers_are_mobile_numbers_too() -> None:
    assert normalise_phone("0110 123 456") == "+254110123456"


def test_other_countries_keep_their_country_code() -> None:
    assert normalise_phone("+44 7700 900123") == "+447700900123"
    assert normalise_phone("+255 754 123 456") == "+255754123456"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "07123",
        "07123456789",
        "0212345678",
        "+254 212 345 678",
        "+25471234567",
        "447700900123",
        "+0712345678",
        "+1234567",
        "+1234567890123456",
        "0712-345-67a",
        "phone",
    ],
)
def test_numbers_that_are_not_phones_are_refused(raw: str) -> None:
    with pytest.raises(CustomerError) as refused:
        normalise_phone(raw)
    assert refused.value.code is CustomerErrorCode.INVALID_PHONE
    assert refused.value.field == "phone"
