"""The offline agent's reading of a customer message: register, intent, budget, quantity, time
and references to the last list shown. Pure and deterministic, no network: the embedder is the
bundled multilingual model."""

from wabotiq.agent.understanding.message import Understanding, understand

__all__ = ["Understanding", "understand"]
