"""Query cost in Shopify's manner: objects 1, leaves 0, connections 2 + `first` × their items,
mutations 10; and a per-key leaky bucket that refills at a steady rate."""

from __future__ import annotations

import time
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
CONNECTION_BASE = 2


def _first(node: FieldNode, variables: dict[str, object], default: int) -> int:
    """The page size a connection field asks for, or its schema default."""
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return int(given) if isinstance(given, int) else default
    return default


class CostCalculator:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def operation_cost(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, object] | None,
    ) -> int:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        cost = self._selection_cost(operation.selection_set, root, fragments, variables or {})
        if operation.operation is OperationType.MUTATION:
            cost += MUTATION_COST * len(operation.selection_set.selections)
        return cost

    def _selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: object,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, object],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent, fragments, variables)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self._selection_cost(selection.selection_set, target, fragments, variables)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self._selection_cost(
                        fragment.selection_set, target, fragments, variables
                    )
        return total

    def _field_cost(
        self,
        node: FieldNode,
        parent: object,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, object],
    ) -> int:
        fields = getattr(parent, "fields", None)
        definition: GraphQLField | None = fields.get(node.name.value) if fields else None
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        children = self._selection_cost(node.selection_set, named, fragments, variables)
        first_arg = definition.args.get("first")
        if first_arg is not None and isinstance(named, GraphQLObjectType):
            default = first_arg.default_value
            first = _first(node, variables, default if isinstance(default, int) else 50)
            return CONNECTION_BASE + max(first, 0) * max(children, 1)
        return 1 + children


@dataclass
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_dict(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": round(self.currently_available, 1),
            "restoreRate": self.restore_rate,
        }


class CostBuckets:
    """Leaky buckets per caller key, refilled continuously at `restore_rate` points a second."""

    def __init__(self, *, capacity: float, restore_rate: float, max_keys: int = 100_000) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self.max_keys = max_keys
        self._levels: dict[str, tuple[float, float]] = {}

    def spend(self, key: str, cost: int) -> tuple[bool, ThrottleStatus]:
        now = time.monotonic()
        available, since = self._levels.get(key, (self.capacity, now))
        available = min(self.capacity, available + (now - since) * self.restore_rate)
        allowed = cost <= available
        if allowed:
            available -= cost
        if len(self._levels) >= self.max_keys and key not in self._levels:
            self._levels.clear()
        self._levels[key] = (available, now)
        return allowed, ThrottleStatus(self.capacity, available, self.restore_rate)
