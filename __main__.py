"""Pulumi entry point: runs the composition in stacks/<environment>.py for this stack.

The environment is the ``eks-platform:environment`` config key, or else the stack
name, so a personal stack such as ``dev-alice`` can set ``environment: dev``.
"""

import importlib

import pulumi

from stacks import ENVIRONMENTS

environment = pulumi.Config().get("environment") or pulumi.get_stack()
if environment not in ENVIRONMENTS:
    raise ValueError(
        f"eks-platform:environment: stack {pulumi.get_stack()!r} has no composition "
        f"stacks/{environment}.py; set the key to one of {', '.join(ENVIRONMENTS)}"
    )
importlib.import_module(f"stacks.{environment}").main()
