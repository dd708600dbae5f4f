"""The runtime type check: a dataclass's fields against their annotations.

:func:`check_fields` checks the *types* of an Args object's fields, so a dict where an Args
object belongs, a string where a list belongs or None where a value is required gets the same
one-line error as any other rule. :func:`field_hints` resolves the annotations (also for the
stack configuration's reader, :mod:`components.validation.config_reader`), and
:func:`when_known` runs a rule on a value that may be an Output.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import inspect
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any

import pulumi

from .errors import InvalidArgument, KnownValueRefused, nested

_UNRESOLVED = object()


@functools.cache
def field_hints(cls: type) -> dict[str, Any]:
    """Each field's annotation of dataclass ``cls``, resolved; unresolvable ones are skipped.

    Annotations are strings (``from __future__ import annotations``); names a module only
    imports for type checking cannot be resolved at run time, and those fields are left
    to the component's own checks.
    """
    hints: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        hint = f.type
        if isinstance(hint, str):
            owner = next(
                (k for k in cls.__mro__ if f.name in getattr(k, "__annotations__", {})), cls
            )
            namespace = {**vars(typing), **vars(sys.modules[owner.__module__])}
            try:
                hint = eval(hint, namespace)
            except Exception:
                hint = _UNRESOLVED
        if hint is not _UNRESOLVED:
            hints[f.name] = hint
    return hints


_EMPTY = (tuple, list, dict)


@functools.cache
def _field_defaults(cls: type) -> dict[str, Any]:
    """Each field's default (a plain default, or what its factory makes when that is empty)."""
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            made = f.default_factory()
            if isinstance(made, _EMPTY) and not made:
                defaults[f.name] = made
    return defaults


def describe_type(hint: Any) -> str:
    """``list[str] | None`` -> ``a list of strings or None``; for error messages."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is type(None) or hint is None:
        return "None"
    if origin in (typing.Union, types.UnionType):
        if _is_input(hint):
            return describe_type(_input_inner(hint)) + " (or an Output of one)"
        return " or ".join(dict.fromkeys(describe_type(a) for a in args))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, tuple, collections.abc.Sequence):
        inner = describe_type(args[0]) if args else "values"
        return f"a list of {_plural(inner)}"
    if origin in (dict, collections.abc.Mapping):
        inner = describe_type(args[1]) if len(args) == 2 else "values"
        return f"a mapping of names to {_plural(inner)}"
    if _is_output_type(hint):
        return "an Output"
    if hint in _SIMPLE_NAMES:
        return _SIMPLE_NAMES[hint]
    if inspect.isclass(hint):
        name = hint.__name__
        return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"
    return str(hint)


_SIMPLE_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    float: "a number",
    Any: "any value",
}


def _plural(described: str) -> str:
    """``a string (or an Output of one)`` -> ``strings (or Outputs of them)``."""
    described = described.replace(" (or an Output of one)", " (or Outputs of them)")
    described = described.replace("true or false", "booleans")
    for article in ("a ", "an "):
        if described.startswith(article):
            noun, _, rest = described[len(article) :].partition(" ")
            return f"{noun}s" + (f" {rest}" if rest else "")
    return described


def _is_output_type(hint: Any) -> bool:
    """``Output[T]``, also as the forward reference ``pulumi.Input`` uses."""
    if isinstance(hint, typing.ForwardRef):
        return hint.__forward_arg__.split("[")[0] == "Output"
    origin = typing.get_origin(hint) or hint
    return inspect.isclass(origin) and issubclass(origin, pulumi.Output)


def _is_deferred(hint: Any) -> bool:
    """``Output[T]`` or ``Awaitable[T]``: the options an Output value satisfies."""
    return _is_output_type(hint) or typing.get_origin(hint) is collections.abc.Awaitable


def _is_input(hint: Any) -> bool:
    """Whether ``hint`` is ``pulumi.Input[T]`` (``T | Awaitable[T] | Output[T]``)."""
    return any(_is_output_type(a) for a in typing.get_args(hint))


def _input_inner(hint: Any) -> Any:
    plain = [a for a in typing.get_args(hint) if not _is_deferred(a)]
    return typing.Union[tuple(plain)] if len(plain) > 1 else plain[0]  # noqa: UP007


def _type_error(value: Any, hint: Any, field: str, explain: bool = True) -> InvalidArgument | None:
    """None when ``value`` fits ``hint``, else the error naming ``field`` (``_UNFIT`` when
    ``explain`` is False: checking a union's options should not pay for messages)."""
    if hint is Any or hint is object or isinstance(hint, typing.TypeVar):
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if (isinstance(value, pulumi.Output) or inspect.isawaitable(value)) and any(
            _is_deferred(a) for a in args
        ):
            return None
        if any(_type_error(value, a, field, explain=False) is None for a in args):
            return None
        if not explain:
            return _UNFIT
        errors = [_type_error(value, a, field) for a in args]
        if all(e is not None for e in errors):
            # A nested error of the one option the value's kind matches says more.
            kinds = [a for a in args if _same_kind(value, a)]
            if len(kinds) == 1:
                return errors[args.index(kinds[0])]
            return _mismatch(value, hint, field, explain)
        return None
    if origin is typing.Literal:
        return None if value in args else _mismatch(value, hint, field, explain)
    if origin is collections.abc.Awaitable:
        return None if inspect.isawaitable(value) else _mismatch(value, hint, field, explain)
    if _is_output_type(hint):
        return None if isinstance(value, pulumi.Output) else _mismatch(value, hint, field, explain)
    if isinstance(hint, typing.ForwardRef):
        return None  # not resolvable here: the component's own checks cover it
    if origin in (list, tuple, collections.abc.Sequence):
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            return _mismatch(value, hint, field, explain)
        item = args[0] if args else Any
        for i, element in enumerate(value):
            error = _type_error(element, item, f"{field}[{i}]", explain)
            if error is not None:
                return error
        return None
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            return _mismatch(value, hint, field, explain)
        key_hint, item = args if len(args) == 2 else (Any, Any)
        for key, element in value.items():
            error = _type_error(key, key_hint, f"{field}", explain)
            if error is not None:
                if not explain:
                    return _UNFIT
                return InvalidArgument(field, f"key {key!r} is not {describe_type(key_hint)}")
            error = _type_error(element, item, f"{field}[{key!r}]", explain)
            if error is not None:
                return error
        return None
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return None if callable(value) else _mismatch(value, hint, field, explain)
    if origin is not None:
        return None  # another generic: not checked here
    if hint is type(None):
        return None if value is None else _mismatch(value, hint, field, explain)
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _mismatch(value, hint, field, explain)
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _mismatch(value, hint, field, explain)
    if inspect.isclass(hint):
        return None if isinstance(value, hint) else _mismatch(value, hint, field, explain)
    return None


def _same_kind(value: Any, hint: Any) -> bool:
    """Whether ``value`` is the kind of thing ``hint`` describes, if not a correct one."""
    origin = typing.get_origin(hint) or hint
    if origin in (list, tuple, collections.abc.Sequence):
        return isinstance(value, list | tuple)
    if origin in (dict, collections.abc.Mapping):
        return isinstance(value, Mapping)
    return inspect.isclass(origin) and isinstance(value, origin)


_UNFIT = InvalidArgument("", "does not fit")
"""What a failed check returns when no message is wanted."""


def _mismatch(value: Any, hint: Any, field: str, explain: bool = True) -> InvalidArgument:
    if not explain:
        return _UNFIT
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InvalidArgument(
        field, f"expected {describe_type(hint)}, got {type(value).__name__} {shown}"
    )


def check_type(value: Any, hint: Any, field: str) -> None:
    """Raise :class:`InvalidArgument` naming ``field`` unless ``value`` fits ``hint``."""
    error = _type_error(value, hint, field)
    if error is not None:
        raise error


def check_fields(args: Any, cls: type, field: str = "args") -> None:
    """``args`` is a ``cls`` whose fields hold values of their annotated types.

    Nested dataclasses are checked through their own annotations, so the error names the
    full path (``role.max_session_duration``).
    """
    if not isinstance(args, cls):
        raise InvalidArgument(
            field,
            f"expected {describe_type(cls)}, got {type(args).__name__}"
            + (
                " (build the Args object; a mapping is not one)"
                if isinstance(args, Mapping)
                else ""
            ),
        )
    defaults = _field_defaults(cls)
    for name, hint in field_hints(cls).items():
        value = getattr(args, name)
        default = defaults.get(name, _UNRESOLVED)
        if value is default or (isinstance(default, _EMPTY) and value == default):
            continue  # a default fits its own annotation; checking it would cost every caller
        check_type(value, hint, name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            with nested(name):
                check_fields(value, type(value), name)


def has_outputs(value: Any) -> bool:
    """Whether ``value`` holds a ``pulumi.Output`` anywhere (mappings and lists searched)."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(has_outputs(x) for x in value.values())
    if isinstance(value, list | tuple):
        return any(has_outputs(x) for x in value)
    return False


def when_known(
    value: Any, check: typing.Callable[[Any, str], Any], field: str, owner: str | None = None
) -> Any:
    """Run ``check(value, field)`` now for a plain value, or once an Output's value is known.

    Returns ``value`` (an Output that fails with the same field-named error when the check
    fails), so it can be passed on as the resource input it was meant for.
    """
    if not (isinstance(value, pulumi.Output) or inspect.isawaitable(value)):
        check(value, field)
        return value

    def run(resolved: Any) -> Any:
        try:
            check(resolved, field)
        except InvalidArgument as error:
            raise KnownValueRefused(
                InvalidArgument(error.field, error.rule, error.component or owner)
            ) from None
        return resolved

    return pulumi.Output.from_input(value).apply(run)


_VALIDATED: dict[type, dict[tuple[str, ...], set[str]]] = {}
"""Args the stack configuration has checked: by class, by the fields left out, their values."""


def _fingerprint(args: Any, skip: tuple[str, ...]) -> str:
    return repr(
        [(f.name, getattr(args, f.name)) for f in dataclasses.fields(args) if f.name not in skip]
    )


def mark_validated(args: Any, skip: typing.Iterable[str] = ()) -> None:
    """Record that ``args`` passed their rules (``skip``: fields filled in later, such as the
    cluster a stack supplies once it exists), so the component they are given to does not run
    the same rules again: a value from stack configuration is validated once, where its error
    can name the config key."""
    fields = tuple(sorted(skip))
    _VALIDATED.setdefault(type(args), {}).setdefault(fields, set()).add(_fingerprint(args, fields))


def was_validated(args: Any) -> bool:
    """Whether :func:`mark_validated` recorded these very values (a changed value is not)."""
    by_skip = _VALIDATED.get(type(args))
    if not by_skip or not dataclasses.is_dataclass(args):
        return False
    return any(_fingerprint(args, skip) in seen for skip, seen in by_skip.items())


def resource_options(value: Any, field: str = "opts") -> None:
    """``value`` is None or a ``pulumi.ResourceOptions`` (what every component takes as ``opts``)."""
    if not (value is None or isinstance(value, pulumi.ResourceOptions)):
        raise InvalidArgument(field, f"expected pulumi.ResourceOptions, got {type(value).__name__}")
