"""Unexpected errors reach clients as a message with the request id, never a stack trace; an
unreachable database reaches them as SERVICE_UNAVAILABLE."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError

from wabotiq.db.health import connection_error, unavailable_error
from wabotiq.graphql.extensions.document import operation_resolution_error


def is_unexpected(error: GraphQLError) -> bool:
    """Our deliberate errors carry a code; graphql-core's own have no original error."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions or {}).get("code")


def unavailable(error: GraphQLError, retry_after_s: int) -> GraphQLError:
    """The SERVICE_UNAVAILABLE error in place of `error` (one the database failed to answer)."""
    body = unavailable_error(retry_after_s)
    return GraphQLError(body["message"], path=error.path, extensions=body["extensions"])


class MaskUnexpectedErrors(MaskErrors):
    """Masks unexpected errors, never the document's validation errors: a scalar refusing a
    literal (`DateTime needs a UTC offset`) is reported with its ValueError as the original
    error, which is how scalars refuse, not a failure."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._masks)
        self._refusals: list[GraphQLError] = []

    def on_validate(self) -> Iterator[None]:
        yield
        self._refusals = list(self.execution_context.pre_execution_errors or ())

    def _masks(self, error: GraphQLError) -> bool:
        return is_unexpected(error) and not any(error is refusal for refusal in self._refusals)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        if connection_error(error.original_error) is not None:
            return unavailable(error, context.runtime.db_health.retry_after_s)
        if isinstance(error.original_error, CannotGetOperationTypeError):
            # A request error Strawberry reports without a code (over the socket; HTTP answers
            # it in the view): deliberate, so coded rather than masked.
            return operation_resolution_error(error.original_error)
        request_id = getattr(context, "request_id", "")
        return GraphQLError(
            message=f"Unexpected error. Quote request id {request_id} to support.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
