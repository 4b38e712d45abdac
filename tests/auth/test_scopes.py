"""Scope requirements: any alternative fully held satisfies a field's `@requiresScopes`."""

from __future__ import annotations

from wabotiq.auth.scopes import satisfies


def test_satisfies_is_any_alternative_fully_held():
    """The oracle of the matrix: outer list OR, inner list AND, an empty inner list admits all."""
    assert satisfies(frozenset(), ((),))
    assert satisfies(frozenset({"a"}), (("a",),))
    assert not satisfies(frozenset({"a"}), (("a", "b"),))
    assert satisfies(frozenset({"a", "b", "c"}), (("a", "b"),))
    assert satisfies(frozenset({"b"}), (("a",), ("b",)))
    assert not satisfies(frozenset({"c"}), (("a",), ("b",)))
    assert satisfies(frozenset({"b", "c"}), (("a", "b"), ("b", "c")))
    assert not satisfies(frozenset({"a", "c"}), (("a", "b"), ("b", "c")))
    assert not satisfies(frozenset({"a"}), ())
