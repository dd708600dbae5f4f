"""Pulumi entry point: runs the composition in stacks/<environment>.py for this stack.

The environment is the ``eks-platform:environment`` config key, or else the stack
name, so a personal stack such as ``dev-alice`` can set ``environment: dev``. The
configuration is read and validated first; a mistake ends the program with one
line naming the key (``pulumi.RunError``: no traceback), before any resource exists.
"""

import importlib

import pulumi

from stacks import ENVIRONMENTS
from stacks.config import environment, load

name = environment()
try:
    if name not in ENVIRONMENTS:
        raise ValueError(
            f"eks-platform:environment: stack {pulumi.get_stack()!r} has no composition "
            f"stacks/{name}.py; set the key to one of {', '.join(ENVIRONMENTS)}"
        )
    config = load()
except ValueError as error:
    raise pulumi.RunError(str(error)) from None
importlib.import_module(f"stacks.{name}").main(config)
