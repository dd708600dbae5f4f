"""The policy pack's entry point: the Pulumi CLI runs this file (``python -m pulumi.policy``)
and ``PolicyPack`` serves the policies to the engine over gRPC until the CLI stops it.

The rules live in ``rules/`` so that they can be imported without starting the server (the
offline synth's ``--policy-pack`` and the tests do).
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import PACK_DESCRIPTION, PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description=PACK_DESCRIPTION,
)
