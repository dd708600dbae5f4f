"""The resource tree the offline synth prints: type, name and the facts a reviewer looks at first."""

from __future__ import annotations

import json
from typing import Any

from .diff import SECRET
from .runner import Recorded, SynthResult

_FACTS: dict[str, tuple[str, ...]] = {
    "awsx:ec2:Vpc": (
        "cidrBlock",
        "numberOfAvailabilityZones",
        "availabilityZoneNames",
        "natGateways.strategy",
    ),
    "eks:index:Cluster": (
        "name",
        "version",
        "authenticationMode",
        "endpointPublicAccess",
        "endpointPrivateAccess",
        "enabledClusterLogTypes",
        "encryptionConfigKeyArn",
        "deletionProtection",
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "instanceTypes",
        "capacityType",
        "scalingConfig",
        "labels",
        "taints",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "metadataOptions.httpTokens",
        "metadataOptions.httpPutResponseHopLimit",
        "blockDeviceMappings[0].ebs.volumeSize",
    ),
    "aws:eks/addon:Addon": ("addonName", "addonVersion"),
    "aws:eks/accessEntry:AccessEntry": ("principalArn",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("policyArn",),
    "aws:eks/fargateProfile:FargateProfile": ("selectors",),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("namespace", "serviceAccount"),
    "aws:iam/role:Role": ("name",),
    "aws:iam/policy:Policy": ("name",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn",),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url", "clientIdLists"),
    "aws:kms/key:Key": ("enableKeyRotation",),
    "aws:acm/certificate:Certificate": ("domainName", "validationMethod"),
    "aws:route53/record:Record": ("name", "type"),
    "kubernetes:helm.sh/v3:Release": ("chart", "version", "namespace"),
    "kubernetes:core/v1:ServiceAccount": (
        "metadata.namespace",
        "metadata.name",
        "metadata.annotations.eks.amazonaws.com/role-arn",
    ),
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:networking.k8s.io/v1:Ingress": (
        "metadata.namespace",
        "spec.ingressClassName",
        "spec.rules",
    ),
    "kubernetes:networking.k8s.io/v1:IngressClass": ("spec.controller",),
}


def _get_path(doc: Any, path: str) -> Any:
    # Keys may contain dots (annotations): try the longest key first.
    if not path:
        return doc
    if isinstance(doc, dict):
        for key in sorted(
            (k for k in doc if path == k or path.startswith(k + ".") or path.startswith(k + "[")),
            key=len,
            reverse=True,
        ):
            rest = path[len(key) :].lstrip(".")
            return _get_path(doc[key], rest)
        return None
    if isinstance(doc, list) and path.startswith("["):
        index, _, rest = path[1:].partition("]")
        return _get_path(doc[int(index)], rest.lstrip(".")) if int(index) < len(doc) else None
    return None


def _summary(value: Any) -> str:
    if value == SECRET:
        return SECRET
    if isinstance(value, dict | list):
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= 90 else text[:87] + "..."


def facts(resource: Recorded) -> list[str]:
    """The few inputs of a resource that a reviewer looks at first."""
    found = []
    for path in _FACTS.get(resource.type, ()):
        value = _get_path(resource.inputs, path)
        if value not in (None, "", [], {}):
            found.append(
                f"{path.split('.')[-1] if '/' not in path else 'role-arn'}={_summary(value)}"
            )
    if resource.protect:
        found.append("protected")
    return found


def render_tree(result: SynthResult) -> str:
    children: dict[str | None, list[Recorded]] = {}
    for r in result.resources:
        children.setdefault(r.parent, []).append(r)
    lines = [f"{result.project}/{result.stack}: {len(result.resources)} resources"]

    def walk(parent: str | None, prefix: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            found = facts(r)
            fact_text = "  " + ", ".join(found) if found else ""
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{r.type}  {r.name}{fact_text}")
            walk(r.urn, prefix + ("   " if last else "│  "))

    walk(None, "")
    if result.outputs:
        lines.append("outputs:")
        for key, value in result.outputs.items():
            lines.append(f"  {key}: {_summary(value)}")
    return "\n".join(lines)
