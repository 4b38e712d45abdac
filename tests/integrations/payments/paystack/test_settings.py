"""`PAYSTACK_BASE_URL`: Paystack's live API by default, any http(s) URL (a local stand-in),
nothing else."""

from __future__ import annotations

import pydantic
import pytest

from wabotiq.core.settings import Settings


def test_the_default_is_paystacks_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYSTACK_BASE_URL", raising=False)
    assert Settings(_env_file=None).paystack_base_url == "https://api.paystack.co"


def test_a_local_url_is_taken_without_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYSTACK_BASE_URL", "http://127.0.0.1:9000/")
    assert Settings(_env_file=None).paystack_base_url == "http://127.0.0.1:9000"


def test_a_url_without_an_http_scheme_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYSTACK_BASE_URL", "api.paystack.co")
    with pytest.raises(pydantic.ValidationError):
        Settings(_env_file=None)
