"""Further tenant migrations for tests: real modules in a package of the test's own, beside the
real ones, that the real loader and migrator run."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from pathlib import Path

import pytest

from wabotiq.db import migrations

REAL_LATEST = migrations.latest("tenant")

# The first creates a table, the second alters one that a broken schema may no longer have.
EXTRA = {
    f"m{REAL_LATEST + 1:04d}_test_probe_table": (
        "CREATE TABLE migrate_probe (id integer PRIMARY KEY, note text NOT NULL);"
    ),
    f"m{REAL_LATEST + 2:04d}_test_probe_column": (
        "ALTER TABLE audit_log ADD COLUMN probe_note text NOT NULL DEFAULT 'probed';"
    ),
}
PROBE_LATEST = REAL_LATEST + len(EXTRA)


def probe_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrations package on sys.path: every real migration (its module re-exports the real
    SQL) and, for tenants, the EXTRA ones after them; returns its name."""
    root = migrations_package(tmp_path, monkeypatch, extra=EXTRA)
    assert migrations.latest("public", root) == migrations.latest("public")
    assert migrations.latest("tenant", root) == PROBE_LATEST
    return root


def older_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The real migrations but the last tenant one: what the code knew one release ago."""
    root = migrations_package(tmp_path, monkeypatch, tenant_upto=REAL_LATEST - 1)
    assert migrations.latest("tenant", root) == REAL_LATEST - 1
    return root


def migrations_package(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    extra: dict[str, str] | None = None,
    tenant_upto: int | None = None,
) -> str:
    """A migrations package on sys.path re-exporting the real migrations (tenant ones up to
    `tenant_upto`), then `extra` tenant ones; returns its name."""
    root = f"probe_migrations_{uuid.uuid4().hex[:8]}"
    for scope in ("public", "tenant"):
        package = tmp_path / root / scope
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        real = importlib.import_module(f"{migrations.PACKAGE}.{scope}")
        for info in pkgutil.iter_modules(real.__path__):
            if not info.name.startswith("m"):
                continue
            if scope == "tenant" and tenant_upto is not None and int(info.name[1:5]) > tenant_upto:
                continue
            source = f"from {real.__name__}.{info.name} import SQL  # noqa: F401\n"
            (package / f"{info.name}.py").write_text(source)
        for name, sql in (extra or {}).items() if scope == "tenant" else ():
            (package / f"{name}.py").write_text(f"SQL = {sql!r}\n")
    (tmp_path / root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    return root
