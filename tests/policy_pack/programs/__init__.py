"""Small programs an app team would write with raw pulumi_aws / pulumi_kubernetes resources: for
every rule of the pack, a bad one that breaks it and a good one that does not.

``CASES`` lists them (each area module registers its own with ``@case``); each case names the
rules its program must violate (none for a good program) and the policy config it runs with
(``{}``: the pack's defaults).
"""

from __future__ import annotations

from . import addons, eks, iam, kubernetes, load_balancers
from .base import CASES, Case
from .iam import PINNED, web_identity_role

__all__ = [
    "CASES",
    "PINNED",
    "Case",
    "addons",
    "eks",
    "iam",
    "kubernetes",
    "load_balancers",
    "web_identity_role",
]
