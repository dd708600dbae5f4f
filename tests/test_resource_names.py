"""A component's resource name must be a non-empty string: anything else is refused in one line
naming the component and ``name`` (the SDK's own error would not), before anything registers."""

from __future__ import annotations

import pulumi
import pytest

import components
from tests.support import refused

COMPONENTS = sorted(
    name
    for name in components.__all__
    if isinstance(getattr(components, name), type)
    and issubclass(getattr(components, name), pulumi.ComponentResource)
)


def test_every_public_component_is_checked() -> None:
    assert len(COMPONENTS) >= 14, COMPONENTS
    assert {"EksCluster", "IrsaRole", "Karpenter", "ManagedAddon", "Network"} <= set(COMPONENTS)


@pytest.mark.parametrize("bad", [42, "", None])
@pytest.mark.parametrize("component", COMPONENTS)
def test_a_name_that_is_not_a_string_is_refused_naming_it(component: str, bad: object) -> None:
    cls = getattr(components, component)
    error = refused(lambda: cls(bad, None))
    assert error == (
        f"{component} {bad!r}: name: a resource name must be a non-empty string, got "
        f"{type(bad).__name__} {bad!r}"
    )
