"""`userErrors` and the one place that maps domain errors onto them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

import strawberry
from graphql import GraphQLError
from tortoise.transactions import in_transaction

from wabotiq.core.errors import DomainError
from wabotiq.core.ids import InvalidGlobalId

T = TypeVar("T")


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="The path to the input field at fault, if one is."
    )
    message: str = strawberry.field(description="What went wrong, for people.")
    code: str = strawberry.field(description="What went wrong, for programs (e.g. NOT_FOUND).")


@overload
def user_error(exc: DomainError) -> UserError: ...
@overload
def user_error(exc: Exception) -> UserError | None: ...
def user_error(exc: Exception) -> UserError | None:
    """The userError for a domain exception, or None when it is not one of ours."""
    if isinstance(exc, DomainError):
        return UserError(
            field=["input", exc.field] if exc.field else None, message=exc.message, code=exc.code
        )
    if isinstance(exc, InvalidGlobalId):
        return UserError(field=["input", "id"], message=str(exc), code="INVALID_ID")
    return None


async def mutate(action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a domain action in one transaction (the mutation owns it); domain errors roll it
    back and become userErrors, anything else propagates."""
    try:
        async with in_transaction():
            return await action(), []
    except Exception as exc:
        error = user_error(exc)
        if error is None or getattr(exc, "must_commit", False):
            raise
        return None, [error]


def coded_error(message: str, code: str, **extensions: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})
