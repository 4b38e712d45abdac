"""Each operation runs on its own copy of the context Strawberry built for the connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from strawberry.extensions import SchemaExtension


@runtime_checkable
class PerOperation(Protocol):
    """A context that can hand each operation a copy of its own."""

    def for_operation(self) -> PerOperation: ...


class ContextPerOperation(SchemaExtension):
    """Strawberry builds one context per WebSocket and runs every operation of that socket
    against it, concurrently: DataLoaders, the audit targets and the denial flag of one
    operation would leak into the next. The copy is taken first, before any other extension
    reads the context, and holds the socket's principal as it is when the operation starts."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        if isinstance(ctx.context, PerOperation):
            ctx.context = ctx.context.for_operation()
        yield
