"""Estimated cost of a completion from list prices, in USD per million tokens (input, output).

The table holds the providers' published list prices for the models we name in settings; they
change, so LLM_PRICES overrides or extends it per model. An unknown model has no estimate
(None), never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

from wabotiq.agent.llm.types import Completion

Price = tuple[float, float]

PRICES: dict[str, Price] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.0-flash-lite": (0.075, 0.30),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-pro": (1.25, 10.00),
    "meta-llama/Llama-3.3-70B-Instruct-Turbo": (0.88, 0.88),
}


def price_for(model: str, overrides: Mapping[str, Price] | None = None) -> Price | None:
    """The price of `model`; a dated snapshot name (`gpt-4o-mini-2024-07-18`) falls back to the
    longest table entry it starts with, since providers answer with those."""
    table = {**PRICES, **(overrides or {})}
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(f"{name}-")]
    return table[max(prefixes, key=len)] if prefixes else None


def estimate_cost(
    completion: Completion, overrides: Mapping[str, Price] | None = None
) -> float | None:
    """USD for the tokens of `completion`, or None when its model's price is unknown."""
    price = price_for(completion.model, overrides)
    if price is None:
        return None
    per_in, per_out = price
    return (completion.tokens_in * per_in + completion.tokens_out * per_out) / 1_000_000
