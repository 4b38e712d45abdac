"""Which scopes a document needs, computed once per document from the schema's directives."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from wabotiq.auth.principal import Principal
from wabotiq.auth.scopes import satisfies
from wabotiq.graphql.directives import Public, RequiresScopes

PUBLIC: Final = "public"
CACHE_SIZE = 1000
Requirement = tuple[tuple[str, ...], ...]
# What a field is marked with: its scopes, or PUBLIC.
Marked = Requirement | Literal["public"]
# `(coordinate, requirement)`; None marks a root field with neither directive (denied).
Needs = tuple[tuple[str, Requirement | None], ...]


@dataclass(frozen=True, slots=True)
class Denial:
    fields: list[str]
    missing_scopes: list[str]
    unauthenticated: bool
    # What each denied field accepts (None: no directive, so nobody).
    requirements: list[Requirement | None]
    # A signed-in user who chose no tenant (no `X-Tenant-ID`): scopes exist only in a tenant.
    tenant_missing: bool


def field_requirements(schema: GraphQLSchema) -> dict[tuple[str, str], Marked]:
    """`(type, field) -> scopes` for every field carrying `@requiresScopes`, or PUBLIC."""
    found: dict[tuple[str, str], Marked] = {}
    for type_name, gql_type in schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in gql_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            for directive in getattr(definition, "directives", ()) or ():
                if isinstance(directive, RequiresScopes):
                    found[(type_name, field_name)] = tuple(tuple(a) for a in directive.scopes)
                elif isinstance(directive, Public):
                    found[(type_name, field_name)] = PUBLIC
    return found


def _reachable_fragments(document: DocumentNode, operation: OperationDefinitionNode) -> set[str]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    seen: set[str] = set()
    stack: list[Node] = [operation]

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            name = node.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                stack.append(fragments[name])

    while stack:
        visit(stack.pop(), Spreads())
    return seen


def selected_fields(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> set[tuple[str, str]]:
    """Every `(parent type, field)` the operation can select, through its fragments too."""
    reachable = _reachable_fragments(document, operation)
    selected: set[tuple[str, str]] = set()
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                selected.add((get_named_type(parent).name, node.name.value))

    for definition in document.definitions:
        if definition is operation or (
            isinstance(definition, FragmentDefinitionNode) and definition.name.value in reachable
        ):
            visit(definition, TypeInfoVisitor(type_info, Collect()))
    return selected


class RequirementIndex:
    """Per schema: the directive map; per document: its requirements (cached)."""

    def __init__(self, schema: GraphQLSchema, root_types: Iterable[str]) -> None:
        self.schema = schema
        self.by_field = field_requirements(schema)
        self.root_types = frozenset(root_types)
        self._cache: OrderedDict[tuple[str, str | None], Needs] = OrderedDict()

    def for_document(
        self,
        key: tuple[str, str | None],
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> Needs:
        """Cached by `(query text, operation name)`: ASTs hash by value, which is slow."""
        needs = self._cache.get(key)
        if needs is None:
            needs = self._cache[key] = self._compute(document, operation)
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return needs

    def _compute(self, document: DocumentNode, operation: OperationDefinitionNode) -> Needs:
        needs = []
        for parent, name in sorted(selected_fields(self.schema, document, operation)):
            requirement = self.by_field.get((parent, name))
            if requirement == PUBLIC or name.startswith("__"):
                continue
            if requirement is None and parent not in self.root_types:
                continue
            needs.append((f"{parent}.{name}", requirement))
        return tuple(needs)

    def check(self, needs: Needs, principal: Principal) -> Denial | None:
        """None when the principal may run the operation, else what it lacks."""
        denied: list[tuple[str, Requirement | None]] = []
        missing: set[str] = set()
        for coordinate, requirement in needs:
            if requirement is None:
                denied.append((coordinate, None))
                continue
            if principal.is_authenticated and satisfies(principal.scopes, requirement):
                continue
            denied.append((coordinate, requirement))
            closest = min(requirement, key=lambda alt: len(set(alt) - principal.scopes))
            missing.update(set(closest) - principal.scopes)
        if not denied:
            return None
        no_tenant = principal.is_authenticated and principal.tenant is None
        return Denial(
            fields=[coordinate for coordinate, _ in denied],
            missing_scopes=sorted(missing),
            unauthenticated=not principal.is_authenticated,
            requirements=[requirement for _, requirement in denied],
            tenant_missing=no_tenant and bool(missing),
        )


_indexes: WeakKeyDictionary[GraphQLSchema, RequirementIndex] = WeakKeyDictionary()


def requirement_index(schema: GraphQLSchema) -> RequirementIndex:
    """The schema's one index: the operation guard and the sockets that re-check their running
    operations after an access change share its cache of document requirements."""
    index = _indexes.get(schema)
    if index is None:
        roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
        index = _indexes[schema] = RequirementIndex(schema, [t.name for t in roots if t])
    return index
