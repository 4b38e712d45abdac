"""The one error an embedder raises when its provider fails, whatever the provider."""

from __future__ import annotations


class EmbeddingError(RuntimeError):
    """A provider refused or failed an embedding request, or answered with unusable vectors.

    `status` is the provider's HTTP status when there was one: callers retry on 429 and 5xx
    and report the rest (a bad key, an unknown model) as configuration problems.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        prefix = f"{provider} embeddings failed" + (f" (HTTP {status})" if status else "")
        super().__init__(f"{prefix}: {message}")
        self.provider = provider
        self.status = status
        self.message = message
