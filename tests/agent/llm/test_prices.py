from __future__ import annotations

import pytest

from wabotiq.agent.llm import Completion, estimate_cost
from wabotiq.agent.llm.prices import price_for


def completion(model: str, tokens_in: int, tokens_out: int) -> Completion:
    return Completion("", (), "openai", model, tokens_in, tokens_out, 1.0)


def test_cost_is_tokens_times_the_price_per_million() -> None:
    cost = estimate_cost(completion("gemini-2.0-flash", 1_000_000, 250_000))

    assert cost == pytest.approx(0.10 + 0.25 * 0.40)


def test_a_dated_snapshot_takes_its_longest_named_model() -> None:
    assert price_for("gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini") == (0.15, 0.60)
    assert price_for("gemini-2.0-flash-lite-001") == (0.075, 0.30)
    assert price_for("gpt-4o-2024-08-06") == (2.50, 10.00)


def test_an_unknown_model_has_no_estimate() -> None:
    assert estimate_cost(completion("my-finetune", 100, 100)) is None
    assert price_for("gpt-4") is None
    assert price_for("gpt-4omni") is None  # a name counts as a prefix only up to a dash


def test_overrides_replace_and_extend_the_table() -> None:
    overrides = {"gpt-4o-mini": (1.0, 1.0), "my-finetune": (3.0, 6.0)}

    assert estimate_cost(completion("gpt-4o-mini", 500_000, 500_000), overrides) == 1.0
    assert estimate_cost(completion("my-finetune", 1_000_000, 1_000_000), overrides) == 9.0
