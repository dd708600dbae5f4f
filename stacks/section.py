"""What an entry of the configuration table is, and how entries are read and documented
(:mod:`stacks.config` holds the table itself).

A :class:`Section` is one ``eks-platform:<key>`` of ``Pulumi.<stack>.yaml``; an
:class:`Addon` is a section that also installs a component on the cluster. A
:class:`PlatformConfig` holds the value of every section a stack sets, typed by its entry:
``config[CLUSTER]`` is the ``EksClusterArgs``, ``config.get(KARPENTER)`` the
``KarpenterArgs`` or None. A :class:`Reader` fills one in: asking it for a section reads the
section (and first those it takes values from), completes it and checks it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import pulumi

from components import validation as v
from components.validation import InvalidArgument
from components.validation.config_reader import config_error, describe, from_config, markdown_table
from stacks import ENVIRONMENTS

T = TypeVar("T")
C = TypeVar("C")


class Reference:
    """A nested class the reference documents after its section, and the paths it appears at."""

    def __init__(self, cls: type, *paths: str) -> None:
        self.cls = cls
        self.title = ", ".join(f"`{p}`" for p in paths)
        """The heading (without the class): the paths, each in backquotes."""


@dataclass(frozen=True, kw_only=True)
class Section(Generic[T]):
    """One ``eks-platform:<key>``: how its value is read, completed and checked."""

    key: str
    """The key, without the project's namespace."""
    summary: str
    """One line for the reference: what the key is for."""
    args: type[T] | None = None
    """The Args dataclass its object becomes (field ``min_size`` is ``minSize`` in YAML)."""
    presence: Literal["optional", "always", "required"] = "optional"
    """Without the key: no value (``optional``: the stack skips it), the defaults
    (``always``), or an error (``required``)."""
    environments: tuple[str, ...] = ENVIRONMENTS
    """The compositions that use it; set for another, it is refused (it would be ignored)."""
    composed: tuple[str, ...] = ()
    """Fields that are not configurable: :attr:`derive` or the composition fills them in."""
    derive: Callable[[T, PlatformConfig], T] | None = None
    """Values it takes from other keys (read first), before the check."""
    validate: Callable[[T], object] | None = None
    """Its one check: the component's own rules on the plain fields (an add-on's
    ``validate_settings``); errors are restated for the config key."""
    check: Callable[[T, PlatformConfig], None] | None = None
    """Rules across keys (its value against others'); errors name the config key."""
    documents: tuple[Reference, ...] = ()
    """Nested classes the reference documents after it."""
    read: Callable[[str | None, str], T] | None = None
    """For a plain value (no Args class): turn the raw value (None: not set) into the value,
    checked; errors name the key given."""


@dataclass(frozen=True, kw_only=True)
class Addon(Section[T], Generic[T, C]):
    """A section that installs a component on the stack's cluster, when set."""

    component: Callable[[str, T, pulumi.ResourceOptions | None], C]
    """The component class (name, args, opts); its ``cluster`` (in :attr:`composed`) is the
    stack's cluster."""
    name: str
    """The component's name after the cluster's: ``<clusterName>-<name>``."""
    exports: Callable[[C], Mapping[str, Any]]
    """The stack outputs it adds, by output name."""
    composed: tuple[str, ...] = ("cluster",)
    installed: Callable[[PlatformConfig], bool] = lambda config: True
    """Whether the stack installs it, its value given (``presence="always"``: a default one)."""


class PlatformConfig:
    """The stack's settings: the value of each key set, by its :class:`Section`."""

    def __init__(self, namespace: str, values: dict[str, Any]) -> None:
        self.namespace = namespace
        """The project's config namespace (``eks-platform``)."""
        self.values = values
        """Each section's value by key (None: not set)."""

    def key(self, section: Section[Any]) -> str:
        """The full config key: ``eks-platform:<key>``."""
        return f"{self.namespace}:{section.key}"

    def is_set(self, section: Section[Any]) -> bool:
        return self.values.get(section.key) is not None

    def get(self, section: Section[T]) -> T | None:
        """The section's value, None when the stack does not set it."""
        value: T | None = self.values.get(section.key)
        return value

    def __getitem__(self, section: Section[T]) -> T:
        value = self.get(section)
        if value is None:
            raise KeyError(section.key)
        return value


def read_object(raw: str | None, key: str) -> dict[str, Any]:
    """A key's raw value (JSON, as Pulumi passes YAML objects) as a mapping; None: empty."""
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValueError(f"{key}: must be an object") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{key}: must be an object, got {value!r}")
    return value


class Reader(PlatformConfig):
    """The configuration while it is read: asking for a section reads and checks it first, so
    a section is read after the sections it takes values from."""

    def __init__(self, config: pulumi.Config) -> None:
        super().__init__(config.name, {})
        self.config = config
        self._reading: set[str] = set()

    def is_set(self, section: Section[Any]) -> bool:
        return self.config.get(section.key) is not None

    def get(self, section: Section[T]) -> T | None:
        if section.key not in self.values:
            assert section.key not in self._reading, f"{section.key} takes values from itself"
            self._reading.add(section.key)
            self.values[section.key] = self._read(section)
        value: T | None = self.values[section.key]
        return value

    def _read(self, section: Section[T]) -> T | None:
        key, raw = self.key(section), self.config.get(section.key)
        if section.read is not None:
            return section.read(raw, key)
        if raw is None and section.presence != "always":
            if section.presence == "required":
                raise ValueError(f"{key}: required key is missing")
            return None
        assert section.args is not None
        composed: dict[str, Any] = dict.fromkeys(section.composed)  # filled by derive or later
        try:
            args = from_config(section.args, read_object(raw, key), key, (), **composed)
        except InvalidArgument as e:  # from_config already names the full key
            raise InvalidArgument(e.field, e.rule) from None
        if section.derive is not None:
            args = section.derive(args, self)
        if section.validate is not None:
            try:
                section.validate(args)
            except InvalidArgument as e:
                raise config_error(key, e) from None
            v.mark_validated(args, skip=section.composed)  # the component need not check again
        if section.check is not None:
            section.check(args, self)
        return args


def reference_markdown(namespace: str, sections: tuple[Section[Any], ...]) -> str:
    """The reference of ``sections``: a table of the keys, then each Args class's fields
    (without the composed ones), each followed by the nested classes it documents."""
    parts = ["| key | meaning |", "|---|---|"]
    parts += [f"| `{namespace}:{s.key}` | {s.summary} |" for s in sections]
    for section in sections:
        if section.args is None:
            continue
        documented = [
            (f"`{namespace}:{section.key}`", section.args, section.composed),
            *((r.title, r.cls, ()) for r in section.documents),
        ]
        for title, cls, exclude in documented:
            table = markdown_table(describe(cls, exclude))
            parts += ["", f"### {title} ({cls.__name__})", "", table]
    return "\n".join(parts) + "\n"
