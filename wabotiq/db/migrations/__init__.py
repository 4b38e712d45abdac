"""Versioned SQL migrations: `public/` for the shared schema, `tenant/` for every tenant schema.

A module `mNNNN_name.py` holds `SQL`; its number is its version. Each schema records what it has
applied in its own `schema_migrations` table, so a run that stops half way resumes where it was.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


# Where the migrations live; `wabotiq migrate` always uses this package. Tests name a package of
# their own (the real modules plus extra ones) to run real further migrations against schemas.
PACKAGE = __name__


@cache
def load(scope: str, root: str = PACKAGE) -> tuple[Migration, ...]:
    """The migrations of `public` or `tenant` (subpackages of `root`), in version order."""
    package = importlib.import_module(f"{root}.{scope}")
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("m"):
            continue
        number, _, name = info.name[1:].partition("_")
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.append(Migration(version=int(number), name=name, sql=module.SQL))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{scope} migrations must be numbered 1..n without gaps: {versions}")
    return tuple(found)


def latest(scope: str, root: str = PACKAGE) -> int:
    return len(load(scope, root))
