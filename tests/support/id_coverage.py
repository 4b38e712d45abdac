"""The isolation tests' coverage rule: which root fields take an ID, and which root fields an
operation calls, so each isolation module can say (and check) what it attacks."""

from __future__ import annotations

from functools import cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
)

from wabotiq.api.schema import contract_schema


@cache
def _schema() -> GraphQLSchema:
    return contract_schema()._schema


def takes_id(type_: GraphQLInputType) -> bool:
    """Whether an argument type is, or contains (through lists and inputs), an ID."""
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if isinstance(type_, GraphQLScalarType):
        return type_.name == "ID"
    if isinstance(type_, GraphQLInputObjectType):
        return any(takes_id(field.type) for field in type_.fields.values())
    return False


def root_fields_taking_ids() -> set[str]:
    """Every Query, Mutation and Subscription field with an argument that is or holds an ID."""
    schema = _schema()
    found = set()
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        for name, field in (root.fields if root else {}).items():
            if any(takes_id(arg.type) for arg in field.args.values()):
                found.add(name)
    return found


def root_fields(*operations: str) -> frozenset[str]:
    """The root fields the operations select; each must be valid against the schema."""
    schema = _schema()
    found: set[str] = set()
    for operation in operations:
        document = parse(operation)
        errors = validate(schema, document)
        assert not errors, (operation, errors)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

        def collect(selections: SelectionSetNode, fragments=fragments) -> None:
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    if not selection.name.value.startswith("__"):
                        found.add(selection.name.value)
                elif isinstance(selection, InlineFragmentNode):
                    collect(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    collect(fragments[selection.name.value].selection_set)

        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                collect(definition.selection_set)
    return frozenset(found)
