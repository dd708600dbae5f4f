"""One program, written against the repository's package (``components``) or the installed one
(``eks_platform``): a cluster, the load-balancer controller and Karpenter, so all three dynamic
providers. :func:`synth` keeps each dynamic resource's serialized ``__provider`` (the synth
writes a placeholder), which is what the state stores and what ``refresh`` and ``destroy`` run.

``python layout_program.py <package>`` prints the document as JSON, in a process that has only
that package: the other one must not have been imported.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

PROGRAM = """
from {package} import (
    AccessEntrySpec, EksCluster, EksClusterArgs, Karpenter, KarpenterArgs,
    LoadBalancerController, LoadBalancerControllerArgs, NodeGroupSpec,
)


def main():
    cluster = EksCluster("apps", EksClusterArgs(
        cluster_name="apps",
        vpc_id="vpc-0123456789abcdef0",
        private_subnet_ids=["subnet-0a", "subnet-0b"],
        public_subnet_ids=["subnet-1a", "subnet-1b"],
        access_entries={{"deploy": AccessEntrySpec(
            principal_arn="arn:aws:iam::123456789012:role/Deployer", policy="cluster-admin")}},
        node_groups={{"system": NodeGroupSpec(labels={{"workload": "system"}})}},
    ))
    LoadBalancerController("apps-alb", LoadBalancerControllerArgs(cluster=cluster))
    Karpenter("apps-karpenter", KarpenterArgs(cluster=cluster, node_selector={{"workload": "system"}}))
"""
PACKAGES = ("components", "eks_platform")


@contextlib.contextmanager
def _keeping_providers(runner: Any) -> Iterator[None]:
    base = runner.RecordingMonitor

    class Keeping(base):  # type: ignore[misc, valid-type]
        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)
            if "__provider" in request.object.fields:
                value = request.object.fields["__provider"]
                if value.WhichOneof("kind") == "struct_value":  # an output value: its "value"
                    value = value.struct_value.fields["value"]
                serialized = value.string_value
                for recorded in reversed(self.recorded):
                    if recorded.urn == response.urn:
                        recorded.inputs["__provider"] = serialized
                        break
            return response

    runner.RecordingMonitor = Keeping
    try:
        yield
    finally:
        runner.RecordingMonitor = base


def synth(package: str) -> dict[str, Any]:
    """The document of :data:`PROGRAM` importing ``package``, with aliases and options recorded
    and the dynamic providers as serialized."""
    runner = importlib.import_module(f"{package}.synth.runner")
    transitions = importlib.import_module(f"{package}.synth.transitions")
    namespace: dict[str, Any] = {}
    exec(PROGRAM.format(package=package), namespace)
    with transitions.recording_options(), _keeping_providers(runner):
        result = runner.run_program(
            namespace["main"], "eks-platform", "apps", {"aws:region": "us-west-2"}
        )
    document: dict[str, Any] = json.loads(json.dumps(result.as_json()))
    return document


if __name__ == "__main__":
    (package,) = sys.argv[1:]
    document = synth(package)
    [other] = [p for p in PACKAGES if p != package]
    assert other not in sys.modules, f"{other} was imported"
    json.dump(document, sys.stdout)
