"""Checks on the parsed document before Strawberry picks the operation and validates it."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    NoFragmentCyclesRule,
    OperationDefinitionNode,
    UniqueFragmentNamesRule,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError

from wabotiq.graphql.shape import (
    Fragments,
    expanded_selections,
    fragment_definitions,
    most_repeated,
)


class OperationNameRequired(CannotGetOperationTypeError):
    """Several operations and no `operationName`: the spec requires an error, where Strawberry
    would run the first one."""

    def as_http_error_reason(self) -> str:
        return "The document holds several operations: name the one to run in `operationName`."


def operation_resolution_error(exc: CannotGetOperationTypeError) -> GraphQLError:
    """The coded request error for a document whose operation cannot be picked (Strawberry
    raises its own without a code)."""
    return GraphQLError(
        exc.as_http_error_reason(), extensions={"code": "OPERATION_RESOLUTION_FAILURE"}
    )


def _limit_error(code: str, what: str, found: int, limit: int, hint: str) -> GraphQLError:
    return GraphQLError(
        f"The document has {found} {what}; at most {limit} are allowed. {hint}",
        extensions={"code": code, "found": found, "max": limit},
    )


class DocumentChecks(SchemaExtension):
    """Refuses a document whose operation cannot be determined, and one that would cost
    validation more than its bounds allow (see `shape.py`). List it after the validation
    cache: a cached verdict skips the count, and a refusal is cached like any other."""

    def __init__(self, *, max_fragments: int, max_selections: int, max_repeats: int) -> None:
        self.max_fragments = max_fragments
        self.max_selections = max_selections
        self.max_repeats = max_repeats

    def on_parse(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        document = ctx.graphql_document
        # Strawberry reports the first operation's name when none was given.
        given = ctx._provided_operation_name  # noqa: SLF001
        if document is not None and given is None and _operation_count(document) > 1:
            raise OperationNameRequired(None)

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.pre_execution_errors is None and ctx.graphql_document is not None:
            errors = self._over_bounds(ctx.schema._schema, ctx.graphql_document)
            if errors:
                ctx.pre_execution_errors = errors  # Strawberry then skips validation
        yield

    def _over_bounds(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        count = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
        if count > self.max_fragments:
            limit, hint = self.max_fragments, "Inline some of them."
            return [_limit_error("MAX_FRAGMENTS_EXCEEDED", "fragments", count, limit, hint)]
        fragments = fragment_definitions(document)
        # Two fragments of one name, or fragments spreading each other, leave the counts
        # without meaning: the spec's own error for them, from its one rule.
        if len(fragments) < count:
            return validate(schema, document, [UniqueFragmentNamesRule])
        selections = expanded_selections(document, fragments)
        if selections is None:
            return validate(schema, document, [NoFragmentCyclesRule])
        return self._size_errors(document, fragments, selections)

    def _size_errors(
        self, document: DocumentNode, fragments: Fragments, selections: int
    ) -> list[GraphQLError]:
        if selections > self.max_selections:
            limit = self.max_selections
            hint = "Each fragment spread counts as the fragment's selections; ask for less."
            return [_limit_error("MAX_SELECTIONS_EXCEEDED", "selections", selections, limit, hint)]
        repeats = most_repeated(document, fragments)  # walks `selections` nodes: now bounded
        if repeats > self.max_repeats:
            what, limit = "selections of one field in one place", self.max_repeats
            hint = "Fields merged through fragments count too."
            return [_limit_error("MAX_FIELD_REPEATS_EXCEEDED", what, repeats, limit, hint)]
        return []


def _operation_count(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
