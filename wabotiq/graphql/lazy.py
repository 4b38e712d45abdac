"""GraphQL objects whose costly fields are computed on first read.

A page converts hundreds of records into GraphQL objects and is usually asked for a few of
their fields. Global IDs (base64 of a UUID's text), Money objects and the dataclass `__init__`
itself are most of what a conversion costs. `@lazy_fields(name=function, ...)`, applied above
`@strawberry.type`, makes those fields computed (and kept) when something reads them: the
executor, a resolver, `repr`. `build()` makes an instance from the cheap values alone. The
values are the same as an eager conversion's; an object built by its `__init__` holds all of
them from the start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


class _Lazy:
    """A non-data descriptor: a value in the instance's `__dict__` takes precedence, so the
    computation runs once per instance at most."""

    __slots__ = ("name", "compute")

    def __init__(self, name: str, compute: Callable[[Any], Any]) -> None:
        self.name = name
        self.compute = compute

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value


def lazy_fields(**computes: Callable[[Any], Any]) -> Callable[[type[T]], type[T]]:
    """Computes the named fields of a dataclass on first read (fields without a default)."""

    def apply(cls: type[T]) -> type[T]:
        names = {f.name for f in dataclasses.fields(cls)}
        for name, compute in computes.items():
            if name not in names or name in vars(cls):
                raise TypeError(f"{cls.__name__}.{name} is not a field without a default")
            setattr(cls, name, _Lazy(name, compute))
        return cls

    return apply


def build(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the dataclass `cls` holding `values` (which it takes over), without
    running its `__init__`: fields missing from `values` must be lazy or have a class-level
    default."""
    instance = object.__new__(cls)
    instance.__dict__ = values
    return instance
