"""How much work a document can make validation do, measured on the AST before validating it.

graphql-core's validation walks every selection once per rule and compares the fields that merge
into one response key pairwise (OverlappingFieldsCanBeMerged); Strawberry's depth and alias
limiters expand every fragment spread anew. So a small text can cost seconds. These counts take
one pass over the selections, each fragment's size computed once.

Measured with a throwaway script (CPU time, best of 9, this schema and rule set, a shared 2-core
machine at load ~2.5), within the defaults MAX_FRAGMENTS=20, MAX_SELECTIONS=300,
MAX_FIELD_REPEATS=10:
  full introspection query (80 selections written, 239 expanded)      4.1 ms
  27 aliases of `me { kind ×10 }` (297 selections)                    8.0 ms  the worst found
  20 fragments of 15 selections                                       7.2 ms
  10 fragments on Product spread in one selection set                 5.1 ms
  `me { tenant { slug name } }` ×10, a chain of 10 fragments          1.9, 3.3 ms
Without the bounds: 200 fragments spread at the root 250 ms, `me { kind }` ×125 82 ms,
3,000 `__typename` 0.4 s, 20 fragments each spreading the next twice 3.1 s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

Fragments = dict[str, FragmentDefinitionNode]


def fragment_definitions(document: DocumentNode) -> Fragments:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _walk(selection_set: SelectionSetNode) -> tuple[int, list[str]]:
    """The selections under `selection_set` (not through spreads) and the spreads' names."""
    count, spreads, stack = 0, [], [selection_set]
    while stack:
        for selection in stack.pop().selections:
            count += 1
            if isinstance(selection, FragmentSpreadNode):
                spreads.append(selection.name.value)
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                stack.append(selection.selection_set)
    return count, spreads


class _Cycle(Exception):
    pass


def expanded_selections(document: DocumentNode, fragments: Fragments) -> int | None:
    """Selections with every fragment spread replaced by the fragment's selections (each
    fragment's size computed once, so a fan-out costs nothing to count); an operation counts
    with what it spreads, a fragment no operation reaches counts once on its own. None when
    fragments spread each other in a cycle: the expansion has no end (and validation refuses
    the document)."""
    own = {name: _walk(d.selection_set) for name, d in fragments.items()}
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(name: str) -> int:
        if name in visiting:
            raise _Cycle
        if name not in sizes:
            visiting.add(name)
            count, spreads = own[name]
            sizes[name] = count + sum(size(s) for s in spreads if s in own)
            visiting.discard(name)
        return sizes[name]

    total = 0
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                count, spreads = _walk(definition.selection_set)
                total += count + sum(size(s) for s in spreads if s in own)
        return total + sum(size(name) for name in own if name not in sizes)
    except _Cycle:
        return None


def _collect(
    selection_sets: Iterable[SelectionSetNode], fragments: Fragments
) -> Iterator[FieldNode]:
    """The fields that merge into one selection set, through inline fragments and spreads."""
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from _collect([selection.selection_set], fragments)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                yield from _collect([fragments[selection.name.value].selection_set], fragments)


def most_repeated(document: DocumentNode, fragments: Fragments) -> int:
    """The most fields that share one response key where selections merge: what the overlap
    rule compares pairwise, level by level. Walks the expanded selections: call it only on a
    document without fragment cycles whose expansion is bounded."""
    worst = 0
    pending: list[list[SelectionSetNode]] = [
        [d.selection_set] for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    while pending:
        groups: dict[str, list[FieldNode]] = {}
        for field in _collect(pending.pop(), fragments):
            key = field.alias.value if field.alias else field.name.value
            groups.setdefault(key, []).append(field)
        for group in groups.values():
            worst = max(worst, len(group))
            children = [f.selection_set for f in group if f.selection_set is not None]
            if children:
                pending.append(children)
    return worst
