"""Input checks shared by the components and the stack configuration, one module each:

* :mod:`.errors`: the error model (:class:`InvalidArgument`, :func:`component_errors`);
* :mod:`.rules`: value rules (names, CIDRs, ARNs, tolerations, resources...);
* :mod:`.types`: the runtime type check of Args dataclasses, and rules on Outputs;
* :mod:`.config_reader`: stack configuration -> Args dataclasses, with the same type rules.

Components write ``from .. import validation as v`` and call ``v.require(...)``; the names
below are the rules they use.
"""

from .errors import InvalidArgument, KnownValueRefused, component_errors, fail, nested, require
from .rules import *  # noqa: F403
from .rules import __all__ as _rules
from .types import (
    check_fields,
    check_type,
    describe_type,
    field_hints,
    has_outputs,
    mark_validated,
    resource_options,
    was_validated,
    when_known,
)

__all__ = [
    "InvalidArgument",
    "KnownValueRefused",
    "check_fields",
    "check_type",
    "component_errors",
    "describe_type",
    "fail",
    "field_hints",
    "has_outputs",
    "mark_validated",
    "nested",
    "require",
    "resource_options",
    "was_validated",
    "when_known",
    *_rules,
]
