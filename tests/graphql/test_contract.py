"""`schema.graphql` is the contract: the code must print exactly it, directives included."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    Node,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)

from wabotiq.api.schema import ROOT_TYPES, contract_schema

CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"


def _name(node: Node) -> str:
    name = getattr(node, "name", None)
    return name.value if name is not None else node.kind


def _sorted(node: Node) -> Node:
    """Rebuild a (frozen) AST node with every named list sorted by name, recursively."""
    changes: dict[str, object] = {}
    for key in node.keys:
        if key == "loc":
            continue
        value = getattr(node, key)
        if isinstance(value, tuple | list) and value and isinstance(value[0], Node):
            items = [_sorted(item) for item in value]
            if key in {"definitions", "fields", "arguments", "values", "interfaces"}:
                items.sort(key=_name)
            changes[key] = tuple(items)
        elif isinstance(value, Node):
            changes[key] = _sorted(value)
    return type(node)(**{k: getattr(node, k) for k in node.keys if k != "loc"} | changes)


def normalise(sdl: str) -> str:
    document = parse(sdl, no_location=True)
    return print_ast(_sorted(document))


def test_code_prints_the_contract():
    assert normalise(contract_schema().as_str()) == normalise(CONTRACT.read_text())


def test_normalising_keeps_applied_directives():
    """A changed @requiresScopes must not slip through the comparison."""
    original = CONTRACT.read_text()
    tampered = original.replace('@requiresScopes(scopes: [["users:manage"]])', "@public", 1)
    assert tampered != original
    assert normalise(tampered) != normalise(original)


def _contract() -> DocumentNode:
    return parse(CONTRACT.read_text())


def test_every_root_field_carries_exactly_one_access_directive():
    offenders = []
    for definition in _contract().definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value in ROOT_TYPES:
            for field in definition.fields or ():
                names = [d.name.value for d in field.directives or ()]
                access = [n for n in names if n in {"requiresScopes", "public"}]
                if len(access) != 1:
                    offenders.append(f"{definition.name.value}.{field.name.value}: {access}")
    assert offenders == []


def test_every_type_field_argument_and_enum_value_is_described():
    missing = []
    described = (
        ObjectTypeDefinitionNode,
        InputObjectTypeDefinitionNode,
        EnumTypeDefinitionNode,
        InterfaceTypeDefinitionNode,
        DirectiveDefinitionNode,
    )
    for definition in _contract().definitions:
        if not isinstance(definition, described) and not hasattr(definition, "description"):
            continue
        name = _name(definition)
        if definition.description is None:
            missing.append(name)
        children: list[FieldDefinitionNode | InputValueDefinitionNode] = list(
            getattr(definition, "fields", None) or ()
        ) + list(getattr(definition, "values", None) or ())
        for child in children:
            if child.description is None:
                missing.append(f"{name}.{child.name.value}")
            for argument in getattr(child, "arguments", None) or ():
                if argument.description is None:
                    missing.append(f"{name}.{child.name.value}({argument.name.value})")
    assert missing == []
