"""Read component arguments from Pulumi configuration, with errors that name the key.

A structured config value (a YAML object in ``Pulumi.<stack>.yaml``) is turned into
a component's Args dataclass field by field, camelCase in YAML to snake_case in
Python, following the dataclass's type hints::

    cfg = pulumi.Config()
    args = from_config(NodeGroupSpec, cfg.require_object("nodeGroup"), "eks-platform:nodeGroup")

Unknown keys, missing required keys and wrong types raise ``ValueError`` naming the
full key (``eks-platform:nodeGroup.minSize``). :func:`config_error` rewrites a
component's own validation error (``node_groups['x'].min_size: ...``) in terms of the
config key the value came from.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import re
import types
import typing
from typing import Any, TypeVar

import pulumi

from .errors import InvalidArgument
from .types import field_hints

T = TypeVar("T")


def camel(name: str) -> str:
    """``min_size`` -> ``minSize``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


_LISTS = (list, typing.List, collections.abc.Sequence)  # noqa: UP006
_MAPPINGS = (dict, typing.Dict, collections.abc.Mapping)  # noqa: UP006


class _Unreadable(TypeError):
    """A type that configuration cannot hold (an Output, an Awaitable, a resource)."""


def _readable(tp: Any) -> bool:
    try:
        _type_name(tp)
    except _Unreadable:
        return False
    origin = typing.get_origin(tp)
    if origin is collections.abc.Awaitable or isinstance(tp, typing.ForwardRef):
        return False
    return not (origin is None and isinstance(tp, type) and tp.__module__.startswith("pulumi"))


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None) and _readable(a)]
        return " or ".join(_type_name(a) for a in options)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(tp))
    if origin in _LISTS:
        return "a list"
    if origin in _MAPPINGS:
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "a string", int: "an integer", bool: "true or false", float: "a number"}.get(
        tp, str(tp)
    )


def convert(tp: Any, value: Any, key: str) -> Any:
    """Convert a parsed YAML/JSON ``value`` to type ``tp``; errors name ``key``."""
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        readable = [o for o in options if o is not type(None) and _readable(o)]
        errors: list[ValueError] = []
        for option in readable:
            try:
                return convert(option, value, key)
            except ValueError as error:
                errors.append(error)
        # One option of the value's own shape (a mapping for a mapping) explains best.
        same_shape = [
            e
            for o, e in zip(readable, errors, strict=True)
            if (typing.get_origin(o) in _MAPPINGS or dataclasses.is_dataclass(o))
            == isinstance(value, dict)
            and (typing.get_origin(o) in _LISTS) == isinstance(value, list)
        ]
        if len(same_shape) == 1 and isinstance(value, dict | list):
            raise same_shape[0]
        raise InvalidArgument(key, f"expected {_type_name(tp)}, got {_yaml(value)}")
    if origin is typing.Literal:
        if value not in typing.get_args(tp):
            raise InvalidArgument(key, f"{_yaml(value)} is not {_type_name(tp)}")
        return value
    if origin in _LISTS or tp is list:
        if not isinstance(value, list):
            raise InvalidArgument(key, f"expected a list, got {_yaml(value)}")
        (item,) = typing.get_args(tp) or (Any,)
        return [convert(item, v, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin in _MAPPINGS or tp is dict:
        if not isinstance(value, dict):
            raise InvalidArgument(key, f"expected a mapping, got {_yaml(value)}")
        _, item = typing.get_args(tp) or (str, Any)
        return {str(k): convert(item, v, f"{key}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_config(tp, value, key)
    if tp is bool:
        if not isinstance(value, bool):
            raise InvalidArgument(key, f"expected true or false, got {_yaml(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(key, f"expected an integer, got {_yaml(value)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgument(key, f"expected a number, got {_yaml(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            hint = ""
            if isinstance(value, float):
                # YAML reads 1.30 as the number 1.3: the trailing zero is gone by now.
                hint = f' (YAML read a number: quote the value, e.g. "{value}" or "{value}0")'
            elif isinstance(value, int) and not isinstance(value, bool):
                hint = f' (YAML read a number: quote it, "{value}")'
            elif isinstance(value, bool):
                hint = " (YAML reads yes/no/on/off as true/false: quote the value)"
            raise InvalidArgument(key, f"expected a string, got {_yaml(value)}{hint}")
        return value
    raise _Unreadable(f"{key}: cannot read type {tp!r} from config")


def _yaml(value: Any) -> str:
    """A value as YAML shows it (``true``, ``null``, ``1.3``), for messages."""
    return json.dumps(value) if not isinstance(value, str) else repr(value)


def from_config(
    cls: type[T], value: Any, key: str, exclude: typing.Iterable[str] = (), **fixed: Any
) -> T:
    """Build dataclass ``cls`` from the mapping ``value`` (camelCase keys).

    ``exclude`` names fields that are not configurable (a stack supplies them in code);
    ``fixed`` gives values for fields that are not read from config.
    """
    if not isinstance(value, dict):
        raise InvalidArgument(key, f"expected a mapping, got {_yaml(value)}")
    fields = {
        camel(f.name): f
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name not in fixed and f.name not in set(exclude)
    }
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise InvalidArgument(
            f"{key}.{unknown[0]}", f"unknown key (known keys: {', '.join(sorted(fields))})"
        )
    kwargs: dict[str, Any] = dict(fixed)
    for config_name, f in fields.items():
        if config_name in value:
            kwargs[f.name] = convert(
                _field_type(cls, f), value[config_name], f"{key}.{config_name}"
            )
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InvalidArgument(f"{key}.{config_name}", "required key is missing")
    return cls(**kwargs)


def _field_type(cls: type, f: dataclasses.Field[Any]) -> Any:
    """One configurable field's annotation, resolved as the runtime type check resolves it."""
    hints = field_hints(cls)
    if f.name not in hints:
        raise TypeError(f"{cls.__name__}.{f.name}: its annotation {f.type!r} does not resolve")
    return hints[f.name]


_SEGMENT = re.compile(r"\[['\"]([^'\"]*)['\"]\]")


def config_key(prefix: str, field_path: str) -> str:
    """``("eks-platform:cluster", "node_groups['general'].min_size")`` -> ``eks-platform:cluster.nodeGroups.general.minSize``."""
    path = _SEGMENT.sub(lambda m: "." + m.group(1), field_path)
    parts = [camel(p) if re.fullmatch(r"[a-z0-9_]+(\[\d+\])*", p) else p for p in path.split(".")]
    return f"{prefix}.{'.'.join(parts)}" if path else prefix


_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PYTHON_WORDS = re.compile(r"\b(True|False|None)\b")


def yaml_words(rule: str) -> str:
    """A component's rule in the words of the stack file: ``desired_size`` -> ``desiredSize``,
    ``True``/``False``/``None`` -> ``true``/``false``/``null``."""
    # Quoted text is the user's own value: it stays as written.
    pieces = re.split(r"('[^']*'|\"[^\"]*\")", rule)
    words = {"True": "true", "False": "false", "None": "null"}
    return "".join(
        piece
        if i % 2
        else _PYTHON_WORDS.sub(
            lambda m: words[m.group(1)], _SNAKE.sub(lambda m: camel(m.group(0)), piece)
        )
        for i, piece in enumerate(pieces)
    )


def config_error(prefix: str, error: ValueError) -> InvalidArgument:
    """A component's :class:`InvalidArgument` restated for the config key ``prefix``."""
    if isinstance(error, InvalidArgument):
        return InvalidArgument(config_key(prefix, error.field), yaml_words(error.rule))
    return InvalidArgument(prefix, yaml_words(str(error)))


def project_keys(config: pulumi.Config | None = None) -> list[str]:
    """Every key set for this project's namespace in the stack's configuration (without the namespace)."""
    from pulumi.runtime import config as runtime_config

    namespace = (config or pulumi.Config()).name
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{namespace}:"
    return sorted(k[len(prefix) :] for k in keys if k.startswith(prefix))


__all__ = ["camel", "config_error", "config_key", "convert", "from_config", "project_keys"]


@dataclasses.dataclass(frozen=True)
class FieldDoc:
    """One configurable field: its config name, type, default and documentation."""

    name: str
    type: str
    default: str
    doc: str


def describe(cls: type, exclude: typing.Iterable[str] = ()) -> list[FieldDoc]:
    """The configurable fields of dataclass ``cls`` with the docstrings written under them."""
    import ast
    import inspect
    import textwrap

    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0]
        assert isinstance(body, ast.ClassDef)
        for node, following in zip(body.body, [*body.body[1:], None], strict=True):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = " ".join(following.value.value.split())
    result = []
    for f in dataclasses.fields(cls):
        if f.name in set(exclude):
            continue
        if f.default is not dataclasses.MISSING:
            value: Any = f.default
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                value = dataclasses.asdict(value)
            default = json.dumps(value) if value is not None else "none"
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
            default = json.dumps(value) if not dataclasses.is_dataclass(value) else "(defaults)"
        else:
            default = "required"
        type_name = str(f.type).replace("pulumi.", "").replace("typing.", "")
        result.append(FieldDoc(camel(f.name), type_name, default, docs.get(f.name, "")))
    return result


def markdown_table(fields: list[FieldDoc]) -> str:
    """A Markdown table of ``fields``."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for f in fields:
        doc = f.doc.replace("``", "`").replace("|", "\\|")
        type_name = f.type.replace(" | ", " or ")
        rows.append(f"| `{f.name}` | `{type_name}` | `{f.default}` | {doc} |")
    return "\n".join(rows)
