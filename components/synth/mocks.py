"""Pulumi mocks that stand in for AWS, Kubernetes and the remote components offline.

Used by the offline synth (:mod:`.runner`) and by the tests. Every resource comes back
with its inputs plus plausible computed outputs: ids and ARNs in account ``123456789012``
and the configured region, and for the remote components (``eks:index:Cluster``,
``awsx:ec2:Vpc``) the plain outputs the library reads (camelCase, as the engine returns
them). A ``pulumi.StackReference`` gets the outputs given for its stack, or
:func:`default_stack_outputs`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi

from ..identity.cluster_ref import kubeconfig_json

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-west-2"
REMOTE_PACKAGES = ("eks", "awsx")


def _hex(seed: str, length: int = 17) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def default_stack_outputs(stack: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """Plausible outputs of a stack of this project (``org/eks-platform/prod``): what
    ``ClusterRef.from_stack`` reads, for a cluster named ``<stack>-eks``."""
    cluster = f"{stack.rsplit('/', 1)[-1]}-eks"
    oidc_id = _hex(stack, 32).upper()
    issuer = f"https://oidc.eks.{region}.amazonaws.com/id/{oidc_id}"
    partition = partition_of(region)
    endpoint = f"https://{oidc_id}.gr7.{region}.eks.amazonaws.com"
    return {
        "clusterName": cluster,
        "endpoint": endpoint,
        "kubeconfig": kubeconfig_json(cluster, endpoint, "TU9DSw=="),
        "oidcIssuerUrl": issuer,
        "oidcProviderArn": f"arn:{partition}:iam::{ACCOUNT_ID}:oidc-provider/{issuer[8:]}",
        "vpcId": f"vpc-{_hex(stack)}",
        "privateSubnetIds": [f"subnet-{_hex(stack + str(i))}" for i in range(2)],
        "publicSubnetIds": [f"subnet-{_hex(stack + 'public' + str(i))}" for i in range(2)],
        "clusterSecurityGroupId": f"sg-{_hex(stack)}",
        "nodeSecurityGroupId": f"sg-{_hex(stack)}",
        "kubernetesVersion": "1.35",
        "compute": "managed",
        "ingressClasses": {
            "alb": {"scheme": "internal", "namespaces": []},
            "alb-public": {"scheme": "internet-facing", "namespaces": []},
        },
        "externalSecretsStores": [
            {
                "kind": "ClusterSecretStore",
                "name": "aws-secrets-manager",
                "backend": "SecretsManager",
                "namespaces": [],
            },
            {
                "kind": "ClusterSecretStore",
                "name": "aws-parameter-store",
                "backend": "ParameterStore",
                "namespaces": [],
            },
        ],
    }


SECRET_MARK = "[secret]"
"""How a synth document writes a secret output; such outputs are secrets of the reference."""


class PlatformMocks(pulumi.runtime.Mocks):
    """Deterministic offline answers for every resource and invoke the library uses."""

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.partition = partition_of(region)
        self.stack_outputs = dict(stack_outputs or {})
        self.missing_addons: set[tuple[str, str]] = set()
        """(cluster, add-on) pairs ``aws.eks.getAddon`` reports as not found."""

    # -- resources ---------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs: dict[str, Any] = dict(args.inputs)
        typ, name = args.typ, args.name
        handler = getattr(self, "_" + _method_name(typ), None)
        resource_id, extra = (
            handler(name, inputs) if handler else (f"{name}-{_hex(typ + name, 8)}", {})
        )
        if not args.custom and typ.split(":")[0] in REMOTE_PACKAGES:
            # A remote component's outputs are its own, not an echo of its inputs.
            return resource_id, extra
        if args.custom and "arn" not in inputs and typ.startswith("aws:") and "arn" not in extra:
            service = typ.split(":")[1].split("/")[0]
            extra["arn"] = self._arn(
                service, f"{typ.split(':')[-1].lower()}/{inputs.get('name', name)}"
            )
        return resource_id, {**inputs, **extra}

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{ACCOUNT_ID}:{resource}"

    def _pulumi_pulumi_StackReference(self, name: str, inputs: dict) -> tuple[str, dict]:
        stack = str(inputs.get("name") or name)
        outputs = self.stack_outputs.get(stack)
        if outputs is None:
            outputs = default_stack_outputs(stack, self.region)
            secret = ["kubeconfig"]
        else:
            secret = sorted(k for k, value in outputs.items() if value == SECRET_MARK)
        return stack, {"name": stack, "outputs": outputs, "secretOutputNames": secret}

    def _eks_index_Cluster(self, name: str, inputs: dict) -> tuple[str, dict]:
        cluster = inputs.get("name") or name
        oidc_id = _hex(cluster, 32).upper()
        issuer = f"oidc.eks.{self.region}.amazonaws.com/id/{oidc_id}"
        server = f"https://{oidc_id}.gr7.{self.region}.eks.amazonaws.com"
        kubeconfig_text = kubeconfig_json(cluster, server, "TU9DSw==")
        return cluster, {
            "kubeconfig": json.loads(kubeconfig_text),
            "kubeconfigJson": kubeconfig_text,
            "oidcIssuer": issuer,
            "oidcProviderUrl": f"https://{issuer}",
            "oidcProviderArn": "",
            "clusterSecurityGroupId": f"sg-{_hex(cluster + 'cluster')}",
            "nodeSecurityGroupId": f"sg-{_hex(cluster + 'node')}",
        }

    def _awsx_ec2_Vpc(self, name: str, inputs: dict) -> tuple[str, dict]:
        azs = inputs.get("availabilityZoneNames") or [
            f"{self.region}{c}"
            for c in "abcdef"[: int(inputs.get("numberOfAvailabilityZones") or 3)]
        ]
        vpc_id = f"vpc-{_hex(name)}"
        return vpc_id, {
            "vpcId": vpc_id,
            "publicSubnetIds": [f"subnet-{_hex(name + az + 'public')}" for az in azs],
            "privateSubnetIds": [f"subnet-{_hex(name + az + 'private')}" for az in azs],
            "isolatedSubnetIds": [],
        }

    def _aws_iam_role_Role(self, name: str, inputs: dict) -> tuple[str, dict]:
        role = inputs.get("name") or name
        path = inputs.get("path") or "/"
        return role, {
            "name": role,
            "arn": f"arn:{self.partition}:iam::{ACCOUNT_ID}:role{path}{role}",
            "uniqueId": f"AROA{_hex(role).upper()}",
        }

    def _aws_iam_policy_Policy(self, name: str, inputs: dict) -> tuple[str, dict]:
        policy = inputs.get("name") or name
        arn = f"arn:{self.partition}:iam::{ACCOUNT_ID}:policy{inputs.get('path') or '/'}{policy}"
        return arn, {"name": policy, "arn": arn}

    def _aws_iam_openIdConnectProvider_OpenIdConnectProvider(
        self, name: str, inputs: dict
    ) -> tuple[str, dict]:
        host = str(inputs.get("url", "")).removeprefix("https://")
        arn = f"arn:{self.partition}:iam::{ACCOUNT_ID}:oidc-provider/{host}"
        return arn, {"arn": arn}

    def _aws_kms_key_Key(self, name: str, inputs: dict) -> tuple[str, dict]:
        key_id = "-".join(_hex(name + str(i), n) for i, n in enumerate((8, 4, 4, 4, 12)))
        return key_id, {"keyId": key_id, "arn": self._arn("kms", f"key/{key_id}")}

    def _aws_ec2_launchTemplate_LaunchTemplate(self, name: str, inputs: dict) -> tuple[str, dict]:
        lt_id = f"lt-{_hex(name)}"
        return lt_id, {
            "latestVersion": 1,
            "defaultVersion": 1,
            "arn": self._arn("ec2", f"launch-template/{lt_id}"),
        }

    def _aws_ec2_instance_Instance(self, name: str, inputs: dict) -> tuple[str, dict]:
        instance_id = f"i-{_hex(name)}"
        return instance_id, {
            "arn": self._arn("ec2", f"instance/{instance_id}"),
            "primaryNetworkInterfaceId": f"eni-{_hex(name + 'eni')}",
            "privateIp": "10.0.0.10",
        }

    def _aws_eks_nodeGroup_NodeGroup(self, name: str, inputs: dict) -> tuple[str, dict]:
        group = inputs.get("nodeGroupName") or name
        return f"{inputs.get('clusterName')}:{group}", {
            "arn": self._arn(
                "eks", f"nodegroup/{inputs.get('clusterName')}/{group}/{_hex(group, 8)}"
            )
        }

    def _aws_acm_certificate_Certificate(self, name: str, inputs: dict) -> tuple[str, dict]:
        arn = self._arn("acm", f"certificate/{_hex(name, 8)}-{_hex(name + 'x', 4)}")
        domains = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
        return arn, {
            "arn": arn,
            "domainValidationOptions": [
                {
                    "domainName": d,
                    "resourceRecordName": f"_{_hex(str(d), 32)}.{d}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{_hex(str(d) + 'v', 32)}.acm-validations.aws.",
                }
                for d in domains
                if d
            ],
        }

    # -- invokes -----------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        token, a = args.token, dict(args.args)
        if token == "aws:index/getPartition:getPartition":
            suffix = "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
            return {"partition": self.partition, "dnsSuffix": suffix, "id": self.partition}, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:{self.partition}:iam::{ACCOUNT_ID}:user/synth",
                "userId": "AIDASYNTH",
                "id": ACCOUNT_ID,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {"region": self.region, "name": self.region, "id": self.region}, []
        if token == "aws:route53/getZone:getZone":
            zone = str(a.get("name") or "example.com").rstrip(".")
            zone_id = a.get("zoneId") or f"Z{_hex(zone, 20).upper()}"
            return {
                "zoneId": zone_id,
                "id": zone_id,
                "name": zone,
                "arn": f"arn:{self.partition}:route53:::hostedzone/{zone_id}",
                "privateZone": bool(a.get("privateZone", False)),
            }, []
        if token == "aws:eks/getAddonVersion:getAddonVersion":
            addon, version = str(a.get("addonName")), str(a.get("kubernetesVersion"))
            build = int(_hex(addon + version, 2), 16) % 9 + 1
            return {
                "addonName": addon,
                "kubernetesVersion": version,
                "version": f"v{version}.{build}-eksbuild.1",
                "id": addon,
            }, []
        if token == "aws:ssm/getParameter:getParameter":
            name = str(a.get("name"))
            value = "1.0.0-20261101"
            if "/optimized-ami/" in name:
                value = f"{name.split('/optimized-ami/')[1].split('/')[0]}.0-20261101"
            return {"name": name, "value": value, "type": "String", "id": name, "arn": ""}, []
        if token == "aws:eks/getAddon:getAddon":
            key = (str(a.get("clusterName")), str(a.get("addonName")))
            if key in self.missing_addons:
                return {}, [("addonName", f"EKS Add-On ({key[0]}:{key[1]}) couldn't find resource")]
            return {
                "clusterName": key[0],
                "addonName": key[1],
                "addonVersion": "v1.3.4-eksbuild.1",
                "arn": self._arn("eks", f"addon/{key[0]}/{key[1]}/{_hex(key[0] + key[1], 8)}"),
                "id": f"{key[0]}:{key[1]}",
            }, []
        if token == "aws:eks/getCluster:getCluster":
            cluster = str(a.get("name"))
            oidc_id = _hex(cluster, 32).upper()
            return {
                "name": cluster,
                "identities": [
                    {
                        "oidcs": [
                            {"issuer": f"https://oidc.eks.{self.region}.amazonaws.com/id/{oidc_id}"}
                        ]
                    }
                ],
                "vpcConfig": {
                    "vpcId": f"vpc-{_hex(cluster)}",
                    "clusterSecurityGroupId": f"sg-{_hex(cluster + 'cluster')}",
                },
                "endpoint": f"https://{oidc_id}.gr7.{self.region}.eks.amazonaws.com",
                "certificateAuthorities": [{"data": "TU9DSw=="}],
                "arn": self._arn("eks", f"cluster/{cluster}"),
                "version": "1.35",  # a version EKS offers (the add-ons' defaults follow it)
            }, []
        return {}, []


def _method_name(typ: str) -> str:
    """``aws:iam/role:Role`` -> ``aws_iam_role_Role``."""
    return typ.replace(":", "_").replace("/", "_").replace(".", "_").replace("-", "_")
