"""`wabotiq tasks dead` and `wabotiq tasks retry`, run as real subprocesses (no REDIS_URL: the
re-run happens in the command's own process, which waits for it)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import MakeTenant
from tests.e2e.test_cli import _run
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.dead_letters.models import DeadLetter
from wabotiq.domain.dead_letters.service import Failure, record_dead_letter


async def test_tasks_dead_lists_a_tenants_letters_and_retry_runs_one_again_once(
    database_url: str, make_tenant: MakeTenant, tmp_path: Path
):
    tenant = await make_tenant()
    now = datetime.now(UTC)
    with tenant_context(TenantRef.of(tenant.id)):
        letter = await record_dead_letter(
            Failure(
                task_name="wabotiq.heartbeat",
                task_id=uuid.uuid4().hex,
                error_type="ConnectionError",
                error_message="redis went away",
                traceback="Traceback (most recent call last): ...",
                attempts=3,
                first_failed_at=now - timedelta(seconds=7),
                last_failed_at=now,
                tenant_id=tenant.id,
                request_id="rq-cli-test",
            )
        )

    listed = await _run(
        "tasks", "dead", "--tenant", tenant.slug, tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert listed.returncode == 0, listed.stderr
    [shown] = json.loads(listed.stdout)
    assert shown["id"] == letter.id
    assert (shown["task_name"], shown["error_type"], shown["attempts"]) == (
        "wabotiq.heartbeat",
        "ConnectionError",
        3,
    )
    assert shown["request_id"] == "rq-cli-test" and shown["retried_at"] is None
    platform = await _run("tasks", "dead", tmp_path=tmp_path, DATABASE_URL=database_url)
    assert platform.returncode == 0, platform.stderr
    assert letter.task_id not in {row["task_id"] for row in json.loads(platform.stdout)}

    retried = await _run(
        "tasks", "retry", str(letter.id), "--tenant", tenant.slug,
        tmp_path=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip
    assert retried.returncode == 0, retried.stderr
    out = json.loads(retried.stdout)
    assert out["id"] == letter.id and out["retried_at"] and out["retry_task_id"]
    with tenant_context(TenantRef.of(tenant.id)):
        # It ran and succeeded: no letter of its own.
        assert await DeadLetter.filter(task_id=out["retry_task_id"]).count() == 0
        assert (await DeadLetter.get(id=letter.id)).retried_at is not None

    again = await _run(
        "tasks", "retry", str(letter.id), "--tenant", tenant.slug,
        tmp_path=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip
    assert again.returncode == 2
    assert json.loads(again.stderr)["error"] == "ALREADY_RETRIED"
    unknown = await _run(
        "tasks", "dead", "--tenant", "no-such-shop", tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert unknown.returncode == 2
    assert json.loads(unknown.stderr)["error"] == "NOT_FOUND"
