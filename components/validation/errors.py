"""The error model: :class:`InvalidArgument`, a ``ValueError`` carrying the offending field (an
argument path such as ``node_groups['general'].min_size``) and the rule it broke as data.

A component adds its own name (:func:`component_errors`: ``IrsaRole 'payments-api':
role.max_session_duration: ...``); the stack configuration restates the field as the config
key it came from. Either way a bad input fails before any resource is registered instead of
deep inside a provider at deploy time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pulumi


class InvalidArgument(ValueError):
    """A value that breaks a rule: ``[<component>: ]<field>: <rule>``, each part kept as data."""

    def __init__(self, field: str, rule: str, component: str | None = None) -> None:
        self.field = field
        """Where the value is: an argument path such as ``policies.max_session_duration``."""
        self.rule = rule
        """What is wrong with it, and where there is one, the fix."""
        self.component = component
        """The component that refused it, e.g. ``IrsaRole 'payments-api'`` (None: not known)."""
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        owner = f"{self.component}: " if self.component else ""
        return f"{owner}{where}{self.rule}"

    def within(self, prefix: str) -> InvalidArgument:
        """The same error for a value nested under ``prefix`` (``prefix.field``)."""
        field = (
            f"{prefix}.{self.field}"
            if self.field and not self.field.startswith("[")
            else (f"{prefix}{self.field}")
        )
        return InvalidArgument(field, self.rule, self.component)


def fail(field: str, rule: str) -> InvalidArgument:
    """Build the error every check raises: ``<field>: <rule>``."""
    return InvalidArgument(field, rule)


@contextlib.contextmanager
def component_errors(kind: str, name: str) -> Iterator[None]:
    """Name the component in every :class:`InvalidArgument` raised inside the block; its
    resource name must be a non-empty string (the SDK's own error would not name it)."""
    try:
        require(
            isinstance(name, str) and name != "",
            "name",
            f"a resource name must be a non-empty string, got {type(name).__name__} {name!r}",
        )
        yield
    except InvalidArgument as error:
        if error.component is not None:
            raise
        raise InvalidArgument(error.field, error.rule, f"{kind} {name!r}") from None
    except KnownValueRefused as refused:
        if refused.component is not None:
            raise
        named = InvalidArgument(refused.field, refused.rule, f"{kind} {name!r}")
        raise KnownValueRefused(named) from None


@contextlib.contextmanager
def nested(prefix: str) -> Iterator[None]:
    """Report every :class:`InvalidArgument` raised inside the block under ``prefix``."""
    try:
        yield
    except InvalidArgument as error:
        raise error.within(prefix) from None
    except KnownValueRefused as refused:
        raise KnownValueRefused(refused.error.within(prefix)) from None


def require(condition: bool, field: str, rule: str) -> None:
    """Raise ``ValueError("<field>: <rule>")`` unless ``condition`` holds."""
    if not condition:
        raise fail(field, rule)


class KnownValueRefused(pulumi.RunError):
    """An :class:`InvalidArgument` found once an Output's value was known.

    Raised as a ``pulumi.RunError`` because ``pulumi up`` prints a RunError raised while Outputs
    resolve as its message alone, in one line, while the SDK wraps any other exception
    (``While processing input ...``) and the CLI prints a traceback. Carries the same
    ``component``, ``field`` and ``rule``.
    """

    def __init__(self, error: InvalidArgument) -> None:
        super().__init__(str(error))
        self.error = error
        self.component, self.field, self.rule = error.component, error.field, error.rule
