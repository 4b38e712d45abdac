"""Amounts in a model's reply: which count as money, which a tool returned, and how they are
written the house way."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from wabotiq.agent.grounding import figures, house_prices, numbers_in, ungrounded

SEARCH_RESULT = json.dumps(
    {
        "items": [
            {
                "id": "3f2a1b00-4000-4b1e-9d7e-1c2d3e4f5a6b",
                "name": "Samsung Galaxy A54 5G 256GB",
                "price": "48000.00",
                "stock": 3,
            }
        ],
        "payment": "Lipa na M-Pesa: Till 123456, total KES 96,000",
    }
)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("Iko KES 48,000", ["48000"]),
        ("Bei: Ksh 12345 au 12,345/=", ["12345", "12345"]),
        ("Kshs.1,299.50 tu", ["1299.50"]),
        ("Iko 48k, ama 500 bob", ["48000", "500"]),
        ("Ni 15 thao pekee", ["15000"]),
        ("Shilingi 500", ["500"]),
        ("1. HP Victus - 48,000", ["48000"]),  # digit grouping says money
        # Not money: model numbers, quantities, times, dates, sizes, list numbers, resolutions.
        ("Samsung A54, 2 pcs, saa 10:00 on 12/12", []),
        ("1. HP Victus 15\n2. TV inchi 55", []),
        ("4k TV ya Samsung", []),
        ("Till 123456", []),
    ],
)
def test_amounts_in_a_reply(text: str, amounts: list[str]) -> None:
    assert [str(figure.value) for figure in figures(text)] == amounts


def test_numbers_in_tool_results_leave_out_ids_and_units() -> None:
    known = numbers_in([SEARCH_RESULT])

    assert {Decimal(48000), Decimal(3), Decimal(123456), Decimal(96000)} <= known
    assert Decimal(4000) not in known  # part of the item's id
    assert Decimal(256) not in known  # "256GB"


@pytest.mark.parametrize(
    ("reply", "missing"),
    [
        ("A54 iko KES 48,000, mbili ni KES 96,000.", []),
        ("A54 iko Ksh 48000 (48k)", []),
        ("A54 iko KES 47,999", ["KES 47,999"]),
        ("Mbili ni 96,000/= na tatu ni 144,000/=", ["144,000/="]),
        ("Bei ni shilingi elfu arobaini na nane", []),
        ("Bei ni elfu arobaini", ["40000 (in words)"]),
    ],
)
def test_ungrounded_amounts_are_those_no_tool_returned(reply: str, missing: list[str]) -> None:
    assert ungrounded(reply, [SEARCH_RESULT]) == missing


def test_the_shops_own_currency_code_counts_as_money() -> None:
    assert [str(f.value) for f in figures("Price: UGX 150,000", currency="UGX")] == ["150000"]
    assert ungrounded("Iko UGX 150000", [SEARCH_RESULT], currency="UGX") == ["UGX 150000"]


def test_prices_are_written_the_house_way() -> None:
    text = "1. HP - Ksh 48000\n2. Dell - 52,500/=\n3. Tecno - 15k\nTotal: kes.1299.5, 2 pcs"

    assert house_prices(text) == (
        "1. HP - KES 48,000\n2. Dell - KES 52,500\n3. Tecno - KES 15,000\n"
        "Total: KES 1,299.50, 2 pcs"
    )
