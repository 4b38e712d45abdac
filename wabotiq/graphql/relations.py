"""Relation fields: the one way every area declares a field whose value comes through the
request's loaders (another object, a list of them, or a value computed from related rows).

    @relation(description="The product sold, as it is now; null if it no longer exists.")
    async def product(self, info: Info) -> ProductRef | None:
        return await info.context.loaders.catalog.product(self.product_id)

A page that fetched a relation along with its objects may hand it over in advance:
`prefetched="page_variants"` names the attribute holding it. While that attribute is not
`NOT_PREFETCHED` it is the field's value: the fast executor reads it without calling any
resolver (see `plans.prefetched`), and the resolver returns it without running the loaders.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry

from wabotiq.graphql.plans import NOT_PREFETCHED
from wabotiq.graphql.plans import prefetched as prefetched_metadata

T = TypeVar("T")

RELATION_KEY = "wabotiq.relation"


def relation(
    *,
    description: str,
    prefetched: str | None = None,
    directives: Sequence[object] = (),
) -> Callable[[Callable[..., Awaitable[T]]], T]:
    """Declares an async method resolver as a relation field. Arguments of the method become
    the field's arguments, as for `strawberry.field`."""
    metadata: dict[str, Any] = {RELATION_KEY: True}
    if prefetched is not None:
        metadata.update(prefetched_metadata(prefetched))

    def declare(method: Callable[..., Awaitable[T]]) -> T:
        if not inspect.iscoroutinefunction(method):
            raise TypeError(f"relation {method.__qualname__} must be an async method")
        resolver = method if prefetched is None else _prefetched_first(method, prefetched)
        field: T = strawberry.field(
            resolver=resolver, description=description, directives=directives, metadata=metadata
        )
        return field

    return declare


def _prefetched_first(method: Callable[..., Awaitable[T]], attr: str) -> Callable[..., Any]:
    """`method`, answered by the object's `attr` while that holds a value. The resolver is
    synchronous so that a prefetched value costs no coroutine on graphql-core's path; only
    when nothing was prefetched does it hand back the method's awaitable. Strawberry reads the
    signature, annotations and module (for `from __future__ import annotations`) through
    `functools.wraps`."""

    @functools.wraps(method)
    def resolve(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = getattr(self, attr)
        if value is not NOT_PREFETCHED:
            return value
        return method(self, *args, **kwargs)

    return resolve


def required(found: T | None, what: str) -> T:
    """The object of a non-null relation, which a foreign key guarantees: a missing one is a
    bug, reported as such."""
    if found is None:
        raise LookupError(f"{what} is missing")
    return found


def is_relation(field: Any) -> bool:
    """Whether a Strawberry field was declared with `relation`."""
    return bool((getattr(field, "metadata", None) or {}).get(RELATION_KEY))
