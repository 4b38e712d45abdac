"""GraphQL types of dead letters."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from wabotiq.core.ids import InvalidGlobalId, from_global_id
from wabotiq.domain.dead_letters.models import DeadLetterBase
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relay import to_global_id

TYPE_NAME = "DeadLetter"
_KEY = re.compile(r"[0-9]{1,18}")


def letter_id(global_id: str) -> int:
    """The row id inside a DeadLetter global ID."""
    raw = from_global_id(global_id, TYPE_NAME)
    if not _KEY.fullmatch(raw):
        raise InvalidGlobalId(f"Not a {TYPE_NAME} ID: {global_id!r}")
    return int(raw)


@strawberry.type(
    description="A task that failed its last attempt, kept with its error; "
    "`retryDeadLetter` runs it again."
)
class DeadLetter:
    id: strawberry.ID = strawberry.field(description="Global ID of the letter.")
    task_name: str = strawberry.field(description="The task, e.g. wabotiq.search.index.")
    task_id: str = strawberry.field(description="The id of the failed run.")
    args: JSON = strawberry.field(description="Its positional arguments (ids only).")
    kwargs: JSON = strawberry.field(description="Its keyword arguments (ids only).")
    labels: JSON = strawberry.field(description="How it was declared: attempts, timeout, delay.")
    error_type: str = strawberry.field(description="The last error's type, e.g. TimeoutError.")
    error_message: str = strawberry.field(description="The last error's message.")
    traceback: str = strawberry.field(description="Where the last error was raised.")
    attempts: int = strawberry.field(description="How many times it was tried.")
    first_failed_at: datetime = strawberry.field(description="When its first attempt failed.")
    last_failed_at: datetime = strawberry.field(description="When its last attempt failed.")
    request_id: str | None = strawberry.field(
        description="The request id (X-Request-ID) of what caused it."
    )
    retried_at: datetime | None = strawberry.field(description="When it was run again, if it was.")
    retry_task_id: str | None = strawberry.field(description="The id of that new run.")

    @classmethod
    def from_model(cls, letter: DeadLetterBase) -> DeadLetter:
        return cls(
            id=to_global_id(TYPE_NAME, letter.id),
            task_name=letter.task_name,
            task_id=letter.task_id,
            args=cast(JSON, letter.args),
            kwargs=cast(JSON, letter.kwargs),
            labels=cast(JSON, letter.labels),
            error_type=letter.error_type,
            error_message=letter.error_message,
            traceback=letter.traceback,
            attempts=letter.attempts,
            first_failed_at=letter.first_failed_at,
            last_failed_at=letter.last_failed_at,
            request_id=letter.request_id,
            retried_at=letter.retried_at,
            retry_task_id=letter.retry_task_id,
        )


@strawberry.type(description="The result of running a dead letter again.")
class RetryDeadLetterPayload:
    dead_letter: DeadLetter | None = strawberry.field(
        description="The letter, marked retried, when it succeeded."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
