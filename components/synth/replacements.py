"""Which input changes make the engine replace a resource, per type this library uses.

Each :class:`Rule` names, in Pulumi's camelCase input names, the properties whose change
forces a replacement, where that was read upstream, and the inputs that name the physical
object (``identity``): two objects with the same identity cannot exist at once, so a
create-before-delete replacement (or a create while the old one is still to be deleted)
collides.

Sources, read for this table (not guessed):

* pulumi-aws bridges hashicorp/terraform-provider-aws: an attribute with ``ForceNew: true``
  (SDKv2) or a ``RequiresReplace()`` plan modifier (plugin framework) is a replacement. The
  files were read from the public-code index, one stored version each (the commit is named
  per type below); pulumi-aws 7.51.1 (installed) bridges terraform-provider-aws v6, and
  these attributes have been stable across the versions read. Not covered: the
  per-resource ``region`` input that pulumi-aws 7 adds to every resource (its replace
  behaviour is the provider framework's; this library never sets it), and provider-side
  ``CustomizeDiff`` replacements that depend on values (noted where they exist).
* pulumi-kubernetes at 94977969d641 (v4.32.0+27; 4.34.2 installed):
  ``provider/pkg/provider/provider.go`` (``Diff``: ``.metadata.name``/``.metadata.namespace``
  always replace; the provider itself asks for delete-before-replace when a replaced object
  keeps its name and namespace; ``DiffConfig``), ``provider/pkg/provider/diff.go`` (per-kind
  ``forceNew``), ``provider/pkg/provider/helm_release.go`` (``Release``: ``.name``,
  ``.namespace``; ``DeleteBeforeReplace: false``). A change of ``apiVersion``/``kind``
  changes the type token, hence the URN: a delete and a create unless aliased.
* pulumi/pulumi at 1b5949891b3c (pkg v3.259.0+14), ``pkg/resource/deploy/step_generator.go``:
  the engine replaces on a provider change (``providerChanged``) before asking the provider.
"""

from __future__ import annotations

from dataclasses import dataclass

TF = "hashicorp/terraform-provider-aws"
K8S = "pulumi/pulumi-kubernetes@94977969d641"


@dataclass(frozen=True)
class Rule:
    """What forces a replacement of one resource type, and what names its physical object."""

    replace_on: tuple[str, ...]
    """Input paths (camelCase, dotted) whose change forces a replacement."""
    source: str
    identity: tuple[str, ...] = ()
    """Inputs that, all set, fix the physical name: no second object may share them."""
    scope: tuple[str, ...] = ()
    """Inputs compared with ``identity`` that may be absent (a namespace, a cluster)."""
    on_collision: str = "the create fails: the object already exists"
    note: str = ""
    provider_replaces_first: bool = False
    """The provider asks for delete-before-replace when the identity is kept (Kubernetes)."""


_FAILS = "the create fails: the object already exists"
_SILENT = (
    "the create succeeds (the API overwrites or is idempotent), then deleting the old "
    "resource removes what the new one made: access or configuration is lost silently"
)


def _tf(path: str, commit: str, how: str = "ForceNew") -> str:
    return f"{TF} {path}@{commit} ({how})"


RULES: dict[str, Rule] = {
    # --- EKS
    "aws:eks/accessEntry:AccessEntry": Rule(
        ("clusterName", "principalArn", "type"),
        _tf("internal/service/eks/access_entry.go", "01f431114674"),
        identity=("principalArn",),
        scope=("clusterName",),
        on_collision="the create fails: one access entry per principal and cluster",
    ),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": Rule(
        ("accessScope", "clusterName", "policyArn", "principalArn"),
        _tf("internal/service/eks/access_policy_association.go", "01f431114674"),
        identity=("principalArn", "policyArn"),
        scope=("clusterName",),
        on_collision=(
            "AssociateAccessPolicy updates the existing association, then the old one's "
            "DisassociateAccessPolicy removes it: the principal silently loses the policy"
        ),
        note="accessScope.type and accessScope.namespaces are ForceNew too",
    ),
    "aws:eks/addon:Addon": Rule(
        ("addonName", "clusterName"),
        _tf("internal/service/eks/addon.go", "00a35305dc1b"),
        identity=("addonName",),
        scope=("clusterName",),
    ),
    "aws:eks/nodeGroup:NodeGroup": Rule(
        (
            "amiType",
            "capacityType",
            "clusterName",
            "diskSize",
            "instanceTypes",
            "launchTemplate.id",
            "launchTemplate.name",
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "nodeRoleArn",
            "remoteAccess",
            "subnetIds",
        ),
        _tf("internal/service/eks/node_group.go", "012e0a32f068"),
        identity=("nodeGroupName",),
        scope=("clusterName",),
        note="launchTemplate.version, version, releaseVersion, scalingConfig, labels, "
        "taints and updateConfig update in place",
    ),
    "aws:eks/fargateProfile:FargateProfile": Rule(
        ("clusterName", "fargateProfileName", "podExecutionRoleArn", "selectors", "subnetIds"),
        _tf("internal/service/eks/fargate_profile.go", "1455913b0c86"),
        identity=("fargateProfileName",),
        scope=("clusterName",),
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": Rule(
        ("clusterName", "namespace", "serviceAccount"),
        _tf(
            "internal/service/eks/pod_identity_association.go",
            "00a35305dc1b",
            "RequiresReplace plan modifiers",
        ),
        identity=("namespace", "serviceAccount"),
        scope=("clusterName",),
        on_collision="the create fails: one association per service account",
        note="roleArn and targetRoleArn update in place",
    ),
    # --- IAM
    "aws:iam/role:Role": Rule(
        ("name", "namePrefix", "path"),
        _tf("internal/service/iam/role.go", "0040ea6911af"),
        identity=("name",),
        on_collision="the create fails: EntityAlreadyExists (role names are per account)",
    ),
    "aws:iam/policy:Policy": Rule(
        ("description", "name", "namePrefix", "path"),
        _tf("internal/service/iam/policy.go", "01ccd9a2d118"),
        identity=("name",),
        on_collision="the create fails: EntityAlreadyExists",
        note="a changed description replaces the policy",
    ),
    "aws:iam/rolePolicy:RolePolicy": Rule(
        ("name", "namePrefix", "role"),
        _tf("internal/service/iam/role_policy.go", "02f97af85f89"),
        identity=("role", "name"),
        on_collision=_SILENT,
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Rule(
        ("policyArn", "role"),
        _tf("internal/service/iam/role_policy_attachment.go", "04c79849dbe7"),
        identity=("role", "policyArn"),
        on_collision=_SILENT,
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": Rule(
        ("url",),
        _tf("internal/service/iam/openid_connect_provider.go", "01606926a0c0"),
        identity=("url",),
        on_collision="the create fails: EntityAlreadyExists (one provider per issuer URL)",
    ),
    # --- SQS, EventBridge
    "aws:sqs/queue:Queue": Rule(
        ("fifoQueue", "name", "namePrefix"),
        _tf("internal/service/sqs/queue.go", "00a35305dc1b"),
        identity=("name",),
        on_collision="CreateQueue returns the existing queue (or fails if attributes differ), "
        "then the old queue's delete removes it",
    ),
    "aws:sqs/queuePolicy:QueuePolicy": Rule(
        ("queueUrl",),
        _tf("internal/service/sqs/queue_policy.go", "0148137dc6fb"),
        identity=("queueUrl",),
        on_collision=_SILENT,
    ),
    "aws:cloudwatch/eventRule:EventRule": Rule(
        ("eventBusName", "name", "namePrefix"),
        _tf("internal/service/events/rule.go", "0cdab4ae09a9"),
        identity=("name",),
        scope=("eventBusName",),
        on_collision=_SILENT,
    ),
    "aws:cloudwatch/eventTarget:EventTarget": Rule(
        ("eventBusName", "rule", "targetId"),
        _tf("internal/service/events/target.go", "0762c41e2027"),
        identity=("rule", "targetId"),
        scope=("eventBusName",),
        on_collision=_SILENT,
    ),
    # --- EC2
    "aws:ec2/tag:Tag": Rule(
        ("key", "resourceId"),
        _tf("aws/resource_aws_ec2_tag.go", "299594d1f62a"),
        identity=("resourceId", "key"),
        on_collision=_SILENT,
        note="value updates in place (file read before its move to internal/service/ec2)",
    ),
    "aws:ec2/route:Route": Rule(
        (
            "routeTableId",
            "destinationCidrBlock",
            "destinationIpv6CidrBlock",
            "destinationPrefixListId",
        ),
        _tf("internal/service/ec2/vpc_route.go", "0128541e0711"),
        identity=("routeTableId", "destinationCidrBlock"),
        on_collision="the create fails: RouteAlreadyExists (one route per destination)",
        note="the target (networkInterfaceId, natGatewayId, ...) updates in place (ReplaceRoute)",
    ),
    "aws:iam/instanceProfile:InstanceProfile": Rule(
        ("name", "namePrefix", "path"),
        _tf("internal/service/iam/instance_profile.go", "013f1736b904"),
        identity=("name",),
        on_collision="the create fails: EntityAlreadyExists",
        note="role updates in place",
    ),
    "aws:ec2/instance:Instance": Rule(
        (
            "ami",
            "availabilityZone",
            "subnetId",
            "keyName",
            "privateIp",
            "associatePublicIpAddress",
            "ebsBlockDevices",
            "rootBlockDevice.encrypted",
            "rootBlockDevice.kmsKeyId",
            "launchTemplate",
        ),
        f"{TF} internal/service/ec2/ec2_instance.go (ForceNew per the provider's resource docs; "
        "not re-read in source here)",
        note="instanceType, userData (without userDataReplaceOnChange), sourceDestCheck and "
        "metadataOptions update in place (instanceType and userData stop and start it)",
    ),
    "aws:ec2/eip:Eip": Rule(
        ("domain", "networkBorderGroup", "publicIpv4Pool", "customerOwnedIpv4Pool", "address"),
        f"{TF} internal/service/ec2/vpc_eip.go (ForceNew per the provider's resource docs; not "
        "re-read in source here)",
        note="the association (instance, networkInterface) updates in place",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": Rule(
        ("name", "namePrefix"),
        _tf(
            "internal/service/ec2/ec2_launch_template.go",
            "025e4f81cab8",
            "every other argument is in resourceLaunchTemplateUpdate's updateKeys",
        ),
        identity=("name",),
    ),
    "aws:ec2/securityGroup:SecurityGroup": Rule(
        ("description", "name", "namePrefix", "vpcId"),
        _tf("internal/service/ec2/vpc_security_group.go", "01606926a0c0"),
        identity=("name",),
        scope=("vpcId",),
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Rule(
        ("vpcId",),
        _tf("internal/service/ec2/vpc_default_security_group.go", "01f431114674"),
        note="adopts the VPC's default group; its delete only drops it from the state",
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Rule(
        (
            "dnsOptions.privateDnsPreference",
            "dnsOptions.privateDnsSpecifiedDomains",
            "resourceConfigurationArn",
            "serviceName",
            "serviceNetworkArn",
            "serviceRegion",
            "vpcEndpointType",
            "vpcId",
        ),
        _tf("internal/service/ec2/vpc_endpoint.go", "008db85aad5e"),
        note="CustomizeDiff also replaces on privateDnsEnabled unless vpcEndpointType is "
        "Interface (not modelled)",
    ),
    "aws:ec2/flowLog:FlowLog": Rule(
        (
            "deliverCrossAccountRole",
            "destinationOptions",
            "eniId",
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "logFormat",
            "maxAggregationInterval",
            "regionalNatGatewayId",
            "subnetId",
            "trafficType",
            "transitGatewayAttachmentId",
            "transitGatewayId",
            "vpcId",
        ),
        _tf("internal/service/ec2/vpc_flow_log.go", "00a35305dc1b"),
        note="only tags update in place",
    ),
    # --- KMS, logs, ACM, Route 53, Secrets Manager, SSM
    "aws:kms/key:Key": Rule(
        ("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
        _tf("internal/service/kms/key.go", "00a35305dc1b"),
        note="policy updates in place; its delete is ScheduleKeyDeletion",
    ),
    "aws:kms/alias:Alias": Rule(
        ("name", "namePrefix"),
        _tf("internal/service/kms/alias.go", "01c08000ddb1"),
        identity=("name",),
    ),
    "aws:cloudwatch/logGroup:LogGroup": Rule(
        ("logGroupClass", "name", "namePrefix"),
        _tf("internal/service/logs/group.go", "0073593e7d69"),
        identity=("name",),
    ),
    "aws:acm/certificate:Certificate": Rule(
        (
            "certificateAuthorityArn",
            "domainName",
            "keyAlgorithm",
            "subjectAlternativeNames",
            "validationMethod",
            "validationOptions",
        ),
        _tf("internal/service/acm/certificate.go", "01661ea3cbe6"),
    ),
    "aws:acm/certificateValidation:CertificateValidation": Rule(
        ("certificateArn", "validationRecordFqdns"),
        _tf("internal/service/acm/certificate_validation.go", "004eea7f9b66"),
        note="no update; its delete is a no-op",
    ),
    "aws:route53/record:Record": Rule(
        ("name", "zoneId"),
        _tf("internal/service/route53/record.go", "00655c1681ea"),
        identity=("zoneId", "name", "type"),
        scope=("setIdentifier",),
        on_collision="the create fails (ChangeAction CREATE) unless allowOverwrite; with it, "
        "the old record's delete removes the new one",
        note="type and setIdentifier update in place",
    ),
    "aws:secretsmanager/secret:Secret": Rule(
        ("name", "namePrefix"),
        _tf("internal/service/secretsmanager/secret.go", "00c21cedec06"),
        identity=("name",),
        on_collision="the create fails: the name exists (or is scheduled for deletion)",
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": Rule(
        ("secretBinary", "secretId", "secretString", "secretStringWoVersion"),
        _tf("internal/service/secretsmanager/secret_version.go", "0042e8ea0de2"),
    ),
    "aws:ssm/parameter:Parameter": Rule(
        ("dataType", "name"),
        _tf("internal/service/ssm/parameter.go", "0073593e7d69"),
        identity=("name",),
        on_collision="the create fails (ParameterAlreadyExists) unless overwrite; with it, "
        "the old parameter's delete removes the new one",
        note="CustomizeDiff also replaces on tier Advanced -> Standard (not modelled)",
    ),
    # --- Kubernetes
    "kubernetes:helm.sh/v3:Release": Rule(
        ("name", "namespace"),
        f"{K8S} provider/pkg/provider/helm_release.go (forceNewFields, DeleteBeforeReplace false)",
        identity=("name",),
        scope=("namespace",),
        on_collision="the install fails: the release name is still in use",
    ),
    "pulumi:providers:kubernetes": Rule(
        ("cluster", "clusterIdentifier", "context", "kubeconfig", "renderYamlToDirectory"),
        f"{K8S} provider/pkg/provider/provider.go (DiffConfig)",
        note="replaces only when the active cluster changes; a secret kubeconfig is compared "
        "as [secret] on both sides, so a change to it is invisible here",
    ),
    "pulumi-python:dynamic:Resource": Rule(
        (),
        "pulumi SDK pulumi/dynamic: the provider's own diff() decides (this library's two "
        "return replaces=[]); pass replace_on= to transition() for another",
    ),
}

_METADATA = ("metadata.name", "metadata.namespace")
_SELECTOR = ("spec.selector",)
KUBERNETES_KINDS: dict[str, tuple[str, ...]] = {
    "apps/v1:Deployment": _SELECTOR,
    "apps/v1:DaemonSet": _SELECTOR,
    "apps/v1:StatefulSet": (
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ),
    "batch/v1:Job": ("spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
    "core/v1:Service": ("spec.clusterIP",),
    "core/v1:Secret": ("data", "stringData", "type"),
    "core/v1:ConfigMap": ("binaryData", "data"),
    "core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.selector",
        "spec.storageClassName",
        "spec.volumeName",
    ),
    "rbac.authorization.k8s.io/v1:RoleBinding": ("roleRef",),
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding": ("roleRef",),
    "storage.k8s.io/v1:StorageClass": ("parameters", "provisioner"),
}
"""Per-kind extras of pulumi-kubernetes' ``forceNew`` (diff.go); Secret and ConfigMap data
replace unless the provider enables ``enableSecretMutable``/``enableConfigMapMutable``."""


def rule_for(type_: str) -> Rule | None:
    """The rule for a custom resource type, or None when no source was read for it."""
    if type_ in RULES:
        return RULES[type_]
    if type_.startswith("kubernetes:") and not type_.startswith("kubernetes:yaml/"):
        kind = type_.split(":", 1)[1]
        return Rule(
            _METADATA + KUBERNETES_KINDS.get(kind, ()),
            f"{K8S} provider/pkg/provider/provider.go, diff.go (forceNew)",
            identity=("metadata.name",),
            scope=("metadata.namespace",),
            provider_replaces_first=True,
        )
    return None


# --------------------------------------------------------------------------- input paths
