"""Validation results cached by query text.

Strawberry's ValidationCache keys an LRU cache on the parsed document, and graphql-core 3.3
documents are frozen dataclasses that hash by value: every request re-hashes the whole AST.
The query text hashes once. Rule classes must be the same objects on every request (built
once per schema), or no key ever repeats.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

MAXSIZE = 1000
_cache: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()


class ValidationCacheByText(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        key = (id(ctx.schema), ctx.query, ctx.validation_rules)
        cached = _cache.get(key) if ctx.query else None
        if cached is not None:
            _cache.move_to_end(key)
            ctx.pre_execution_errors = cached
            yield
            return
        yield  # Strawberry validates (pre_execution_errors is None here)
        if ctx.query and ctx.pre_execution_errors is not None:
            _cache[key] = ctx.pre_execution_errors
            if len(_cache) > MAXSIZE:
                _cache.popitem(last=False)
