"""The table: realistic mistakes of an app team's program, and what the synth must say.

Each :class:`Misuse` is a program in two parts, as a team writes it: ``setup`` (a cluster
reference, a namespace, a first role...), which synths on its own, and ``code``, the lines
with the mistake. The program is ``setup`` then ``code``, under the imports it uses
(:func:`program`). The synth of the whole program must fail with one line,
``error: <says>...``, naming the component (or helper) and the field; and must register nothing
that the setup alone does not register (``known_later``: a value given as an Output is checked
once known, after the component itself registered, so that one URN, and none of its children,
is allowed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

ON_PLATFORM = 'cluster = ClusterRef.from_stack("acme/eks-platform/dev")\n'
"""The platform team's cluster, from its stack's outputs (the synth invents plausible ones)."""

LEGACY = """\
config = pulumi.Config()
# A cluster Terraform made: no IAM OIDC provider, so no IRSA.
legacy = k8s.Provider("legacy", kubeconfig=config.get_secret("kubeconfig") or "{}")
cluster = ClusterRef(
    key="legacy",
    name="legacy-eks",
    provider=legacy,
    vpc_id="vpc-0a1b2c3d4e5f60718",
    cluster_security_group_id="sg-0a1b2c3d4e5f60718",
    private_subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
)
"""

READER = """\
reader = IrsaRole(
    "reports-reader",
    WorkloadRoleArgs(
        cluster=cluster, namespace="reports", service_account="reader", create_namespace=True
    ),
)
"""

DB_SECRET = """\
external_secret(
    "reports-db",
    name="reports-db",
    namespace="reports",
    cluster=cluster,
    store=StoreRef(name="aws-secrets-manager"),
    data=[SecretValue(secret_key="password", remote_key="reports/db", property="password")],
)
"""

PLATFORM_OUTPUTS = {
    "clusterName": "dev-eks",
    "kubeconfig": "{}",
    "vpcId": "vpc-0a1b2c3d4e5f60718",
    "oidcIssuerUrl": "https://oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9",
}
"""The platform stack's outputs as an old `pulumi stack output --json` saved them: without
``oidcProviderArn``, which ``ClusterRef.from_stack`` requires."""

EXPORTS = [
    "ClusterBinding",
    "ClusterRef",
    "ExternalDns",
    "ExternalDnsArgs",
    "ExternalSecrets",
    "ExternalSecretsArgs",
    "HostedZone",
    "IrsaRole",
    "Karpenter",
    "KarpenterArgs",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "ManagedAddon",
    "ManagedAddonArgs",
    "Network",
    "NetworkArgs",
    "NodeGroup",
    "NodeGroupArgs",
    "NodeGroupSpec",
    "NodePoolSpec",
    "PodIdentityRole",
    "RoleSettings",
    "SecretsTenantSpec",
    "SecretValue",
    "ServiceAccountRef",
    "StoreRef",
    "Taint",
    "WorkloadRoleArgs",
    "permissions",
]
"""Names a program of the table may import from ``eks_platform``."""


@dataclass(frozen=True)
class Misuse:
    id: str
    """The test id, and the program's directory name."""
    code: str
    """The lines with the mistake, after ``setup``."""
    says: str
    """How the line goes on after ``error: ``: the component (or helper) and the field.
    ``{where}`` stands for ``<id>/__main__.py:<the line of line_of>``."""
    mentions: tuple[str, ...] = ()
    """More of what the line must say (the value refused, the other owner...)."""
    setup: str = ON_PLATFORM
    """What comes before the mistake; it synths on its own (the baseline)."""
    args: tuple[str, ...] = ()
    """More arguments of the synth (``{dir}``: the program's directory); not the baseline's."""
    files: Mapping[str, str] = field(default_factory=dict)
    """More files in the program's directory."""
    line_of: str | None = None
    """Text of the line ``{where}`` names."""
    known_later: str | None = None
    """``<type>::<name>`` of the component that is given an Output to check once known."""


def program(body: str) -> str:
    """``body`` under the imports it uses, as a team writes a ``__main__.py``."""

    def used(name: str, after: str = r"\b(?!\s*=[^=])") -> bool:
        return re.search(rf"(?<![\w.]){re.escape(name)}{after}", body) is not None

    lines = [
        line
        for name, line in (
            ("pulumi", "import pulumi"),
            ("aws", "import pulumi_aws as aws"),
            ("k8s", "import pulumi_kubernetes as k8s"),
        )
        if used(name, r"\.")
    ]
    names = [name for name in EXPORTS if used(name)]
    if names:
        lines.append(f"from eks_platform import {', '.join(sorted(names, key=str.lower))}")
    if used("external_secret"):
        lines.append("from eks_platform.addons.external_secrets import external_secret")
    return "\n".join(lines) + "\n\n" + body


def role(**fields: str) -> str:
    """``IrsaRole("reports-reader", WorkloadRoleArgs(...))`` with ``fields`` (Python source)."""
    args = {"cluster": "cluster", "namespace": '"reports"', "service_account": '"reader"'}
    args.update(fields)
    inner = ", ".join(f"{k}={v}" for k, v in args.items())
    return f'IrsaRole("reports-reader", WorkloadRoleArgs({inner}))\n'


def pod_identity_role(**fields: str) -> str:
    return role(**fields).replace("IrsaRole(", "PodIdentityRole(")


def namespace(name: str) -> str:
    """A Namespace ``name`` created through the cluster's provider, as ``ns``."""
    return (
        f'ns = k8s.core.v1.Namespace(\n    "reports",\n    metadata={{"name": "{name}"}},\n'
        "    opts=pulumi.ResourceOptions(provider=cluster.provider),\n)\n"
    )


CASES: list[Misuse] = [
    # -- WorkloadRoleArgs, IrsaRole, PodIdentityRole, RoleSettings ---------------------------
    Misuse(
        "namespace-not-a-string",
        role(namespace="42"),
        "IrsaRole 'reports-reader': namespace: ",
        ("got int 42",),
    ),
    Misuse(
        "namespace-upper-case",
        role(namespace='"Reports"'),
        "IrsaRole 'reports-reader': namespace: ",
        ("'Reports' is not a valid namespace",),
    ),
    Misuse(
        "service-account-underscore",
        pod_identity_role(service_account='"reports_reader"'),
        "PodIdentityRole 'reports-reader': service_account: ",
        ("'reports_reader' is not a valid ServiceAccount name",),
    ),
    Misuse(
        "cluster-by-name",
        role(cluster='"dev-eks"'),
        "IrsaRole 'reports-reader': cluster: ",
        ("expected an EksCluster or a ClusterRef", "got str 'dev-eks'"),
    ),
    Misuse(
        "args-as-a-dict",
        'IrsaRole("reports-reader", {"cluster": cluster, "namespace": "reports", '
        '"service_account": "reader"})\n',
        "IrsaRole 'reports-reader': args: ",
        ("expected a WorkloadRoleArgs, got dict",),
    ),
    Misuse(
        "misspelt-keyword",
        'IrsaRole(\n    "reports-reader",\n'
        '    WorkloadRoleArgs(cluster=cluster, nmespace="reports", service_account="reader"),\n)\n',
        "{where}: WorkloadRoleArgs: unknown argument 'nmespace' (did you mean 'namespace'?)",
        line_of="nmespace=",
    ),
    Misuse(
        "unknown-keyword",
        'IrsaRole(\n    "reports-reader",\n    WorkloadRoleArgs(\n        cluster=cluster,\n'
        '        namespace="reports",\n        service_account="reader",\n'
        '        bucket="acme-reports",\n    ),\n)\n',
        "{where}: WorkloadRoleArgs: unknown argument 'bucket' (it takes: cluster, namespace, ",
        line_of="WorkloadRoleArgs(",
    ),
    Misuse(
        "role-name-over-64-characters",
        role(role='RoleSettings(name="reports-reader-' + "eu-west-1-" * 5 + 'dev")'),
        "IrsaRole 'reports-reader': role.name: ",
        ("is not a valid IAM role name (1-64 characters",),
    ),
    Misuse(
        "boundary-is-a-role-arn",
        role(
            role='RoleSettings(permissions_boundary_arn="arn:aws:iam::123456789012:role/boundary")'
        ),
        "IrsaRole 'reports-reader': role.permissions_boundary_arn: ",
        ("is not an IAM policy ARN",),
    ),
    Misuse(
        "session-in-minutes",
        role(role="RoleSettings(max_session_duration=60)"),
        "IrsaRole 'reports-reader': role.max_session_duration: ",
        ("60 must be an integer between 3600 and 43200",),
    ),
    Misuse(
        "actions-instead-of-grants",
        pod_identity_role(permissions='["s3:GetObject"]'),
        "PodIdentityRole 'reports-reader': permissions[0]: ",
        ("expected a Grant, got str 's3:GetObject'",),
    ),
    Misuse(
        "one-grant-not-a-list",
        role(permissions='permissions.s3_read("acme-reports")'),
        "IrsaRole 'reports-reader': permissions: ",
        ("expected a list of Grants, got Grant",),
    ),
    Misuse(
        "managed-policies-as-a-list",
        role(managed_policy_arns='["arn:aws:iam::aws:policy/ReadOnlyAccess"]'),
        "IrsaRole 'reports-reader': managed_policy_arns: ",
        ("expected a mapping of names to strings",),
    ),
    Misuse(
        "managed-policy-by-name",
        role(managed_policy_arns='{"readonly": "ReadOnlyAccess"}'),
        "IrsaRole 'reports-reader': managed_policy_arns['readonly']: ",
        ("'ReadOnlyAccess' is not an IAM policy ARN",),
    ),
    Misuse(
        "pod-security-misspelt",
        role(pod_security='"strict"'),
        "IrsaRole 'reports-reader': pod_security: ",
        ("expected one of 'restricted', 'baseline', 'privileged', got str 'strict'",),
    ),
    Misuse(
        "extra-service-account-as-a-string",
        role(extra_service_accounts='["reports:writer"]'),
        "IrsaRole 'reports-reader': extra_service_accounts[0]: ",
        ("expected a ServiceAccountRef, got str 'reports:writer'",),
    ),
    Misuse(
        "blue-green-cluster-by-name",
        role(cluster='{"blue": cluster, "green": "green-eks"}'),
        "IrsaRole 'reports-reader': cluster['green']: ",
        ("got str 'green-eks'",),
    ),
    Misuse(
        "blue-green-namespace-upper-case",
        role(
            cluster='{"blue": cluster, "green": ClusterBinding(cluster=cluster, namespace="Orders")}'
        ),
        "IrsaRole 'reports-reader': cluster['green'].namespace: ",
        ("'Orders' is not a valid namespace",),
    ),
    Misuse(
        "opts-as-a-dict",
        role().replace("))\n", '), opts={"provider": east})\n'),
        "IrsaRole 'reports-reader': opts: ",
        ("expected pulumi.ResourceOptions, got dict",),
        setup=ON_PLATFORM + 'east = aws.Provider("east", region="us-east-1")\n',
    ),
    Misuse(
        "irsa-on-a-cluster-without-oidc",
        role(),
        "IrsaRole 'reports-reader': cluster: ",
        ("the cluster has no OIDC trust, which IRSA needs",),
        setup=LEGACY,
    ),
    # -- Outputs, checked once known ----------------------------------------------------------
    Misuse(
        "namespace-output-upper-case",
        role(namespace="ns.metadata.name"),
        "IrsaRole 'reports-reader': namespace: ",
        ("'Reports' is not a valid namespace",),
        setup=ON_PLATFORM + namespace("Reports"),
        known_later="eks-platform:index:IrsaRole::reports-reader",
    ),
    Misuse(
        "namespace-output-underscore",
        pod_identity_role(namespace="ns.metadata.name"),
        "PodIdentityRole 'reports-reader': namespace: ",
        ("'reports_team' is not a valid namespace",),
        setup=ON_PLATFORM + namespace("reports_team"),
        known_later="eks-platform:index:PodIdentityRole::reports-reader",
    ),
    Misuse(
        "external-secret-namespace-output",
        DB_SECRET.replace('namespace="reports"', "namespace=ns.metadata.name"),
        "ExternalSecret 'reports-db': namespace: ",
        ("'reports_team' is not a valid namespace",),
        setup=ON_PLATFORM + namespace("reports_team"),
    ),
    # -- one object, one owner; one URN, one resource -------------------------------------------
    Misuse(
        "namespace-created-twice",
        role(service_account='"writer"', create_namespace="True").replace(
            '"reports-reader"', '"reports-writer"'
        ),
        "IrsaRole 'reports-writer': namespace: ",
        ("Namespace 'reports'", "already created by IrsaRole 'reports-reader'"),
        setup=ON_PLATFORM + READER,
    ),
    Misuse(
        "service-account-given-two-roles",
        pod_identity_role().replace('"reports-reader"', '"reports-reader-pi"'),
        "PodIdentityRole 'reports-reader-pi': service_account: ",
        ("ServiceAccount 'reports/reader'", "already created by IrsaRole 'reports-reader'"),
        setup=ON_PLATFORM + READER,
    ),
    Misuse(
        "iam-role-name-taken",
        role(service_account='"writer"', role='RoleSettings(name="reports-reader")').replace(
            '"reports-reader", W', '"reports-writer", W'
        ),
        "IrsaRole 'reports-writer': role.name: ",
        ("'reports-reader' is already used by IrsaRole 'reports-reader'",),
        setup=ON_PLATFORM
        + READER.replace("create_namespace=True", 'role=RoleSettings(name="reports-reader")'),
    ),
    Misuse(
        "external-secret-twice",
        DB_SECRET,
        "ExternalSecret 'reports-db': name: ",
        ("ExternalSecret 'reports/reports-db'", "already created by ExternalSecret 'reports-db'"),
        setup=ON_PLATFORM + DB_SECRET,
    ),
    Misuse(
        "config-map-registered-twice",
        'k8s.core.v1.ConfigMap("settings", data={"mode": "b"}, opts=on_cluster)\n',
        "{where}: Duplicate resource URN 'urn:pulumi:dev::reports-app::"
        "kubernetes:core/v1:ConfigMap::settings'",
        ("(also registered at config-map-registered-twice/__main__.py:",),
        setup=ON_PLATFORM
        + "on_cluster = pulumi.ResourceOptions(provider=cluster.provider)\n"
        + 'k8s.core.v1.ConfigMap("settings", data={"mode": "a"}, opts=on_cluster)\n',
        line_of='"mode": "b"',
    ),
    # -- the permission helpers ----------------------------------------------------------------
    Misuse(
        "s3-object-arn-for-a-bucket",
        role(permissions='[permissions.s3_read("arn:aws:s3:::acme-reports/daily/*")]'),
        "permissions.s3_read: bucket: ",
        ("is an S3 object ARN, not a bucket", "prefix='daily/'"),
    ),
    Misuse(
        "s3-url-for-a-bucket",
        role(permissions='[permissions.s3_read_write("s3://acme-reports/daily")]'),
        "permissions.s3_read_write: bucket: ",
        ("is an S3 URL, not a bucket",),
    ),
    Misuse(
        "s3-prefix-with-a-wildcard",
        role(permissions='[permissions.s3_read("acme-reports", prefix="/daily/*")]'),
        "permissions.s3_read: prefix: ",
        ("'/daily/*' is not an S3 key prefix",),
    ),
    Misuse(
        "dynamodb-account-of-three-digits",
        role(
            permissions='[permissions.dynamodb_read_write("arn:aws:dynamodb:eu-west-1:123:table/orders")]'
        ),
        "permissions.dynamodb_read_write: table: ",
        ("account '123' is not a 12-digit AWS account id",),
    ),
    Misuse(
        "dynamodb-index-arn",
        role(
            permissions="[permissions.dynamodb_read_write("
            '"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-date")]'
        ),
        "permissions.dynamodb_read_write: table: ",
        ("is a DynamoDB index ARN, not a table",),
    ),
    Misuse(
        "sqs-arn-to-sns",
        role(permissions='[permissions.sns_publish("arn:aws:sqs:eu-west-1:123456789012:jobs")]'),
        "permissions.sns_publish: topic: ",
        ("is an ARN of service 'sqs', not an SNS topic ARN",),
    ),
    Misuse(
        "sns-region-without-dashes",
        role(permissions='[permissions.sns_publish("arn:aws:sns:euwest1:123456789012:alerts")]'),
        "permissions.sns_publish: topic: ",
        ("region 'euwest1' is not an AWS region",),
    ),
    Misuse(
        "sqs-queue-url",
        role(
            permissions='[permissions.sqs_consume("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")]'
        ),
        "permissions.sqs_consume: queue: ",
        ("is a URL, not an SQS queue",),
    ),
    Misuse(
        "kms-alias",
        role(permissions='[permissions.kms_decrypt("alias/reports")]'),
        "permissions.kms_decrypt: key_arn: ",
        ("'alias/reports' is not a KMS key ARN",),
    ),
    Misuse(
        "ecr-image-uri",
        role(
            permissions='[permissions.ecr_pull("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0")]'
        ),
        "permissions.ecr_pull: repositories[0]: ",
        ("is an image URI, not a repository",),
    ),
    Misuse(
        "secret-arn-for-a-prefix",
        role(
            permissions="[permissions.secrets_read("
            '"arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports/db-AbCdEf")]'
        ),
        "permissions.secrets_read: name_prefixes[0]: ",
        ("is an ARN; give the secret's name prefix",),
    ),
    Misuse(
        "ssm-path-with-a-trailing-slash",
        role(permissions='[permissions.ssm_read("/reports/app/")]'),
        "permissions.ssm_read: paths[0]: ",
        ("'/reports/app/' is not an SSM parameter path",),
    ),
    # -- ClusterRef ------------------------------------------------------------------------------
    Misuse(
        "existing-cluster-name-with-a-space",
        'legacy = ClusterRef.existing("legacy eks")\n',
        "ClusterRef.existing 'legacy eks': cluster_name: ",
        ("is not a valid EKS cluster name",),
    ),
    Misuse(
        "existing-oidc-adopted-and-created",
        'legacy = ClusterRef.existing(\n    "legacy-eks",\n'
        '    oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1'
        '.amazonaws.com/id/0A1B2C3D",\n    create_oidc_provider=True,\n)\n',
        "ClusterRef.existing 'legacy-eks': create_oidc_provider: ",
        ("not both",),
    ),
    Misuse(
        "existing-opts-as-a-dict",
        'legacy = ClusterRef.existing("legacy-eks", opts={"provider": east})\n',
        "ClusterRef.existing 'legacy-eks': opts: ",
        ("expected pulumi.ResourceOptions, got dict",),
        setup=ON_PLATFORM + 'east = aws.Provider("east", region="us-east-1")\n',
    ),
    Misuse(
        "existing-name-output-unnamed",
        'legacy = ClusterRef.existing(pulumi.Config().require_secret("clusterName"))\n',
        "ClusterRef.existing: resource_name: ",
        ("cluster_name is an Output",),
        files={
            "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  reports-app:clusterName: legacy-eks\n"
        },
    ),
    Misuse(
        "from-stack-with-a-fourth-part",
        'blue = ClusterRef.from_stack("acme/eks-platform/dev/blue")\n',
        "ClusterRef.from_stack 'acme-eks-platform-dev-blue': stack: ",
        ("is not a stack name",),
    ),
    # -- --stack-outputs -------------------------------------------------------------------------
    Misuse(
        "stack-outputs-typo",
        "",
        "--stack-outputs: the program does not reference stack 'acme/eks-platfrom/dev'",
        ("the stacks it references: acme/eks-platform/dev",),
        setup=ON_PLATFORM + READER,
        args=("--stack-outputs", "acme/eks-platfrom/dev={dir}/platform-dev.json"),
        files={"platform-dev.json": json.dumps(PLATFORM_OUTPUTS)},
    ),
    Misuse(
        "stack-outputs-missing-an-output",
        "",
        "stack 'acme/eks-platform/dev' has no output 'oidcProviderArn'",
        ("stack-outputs-missing-an-output/platform-dev.json",),
        setup=ON_PLATFORM + READER,
        args=("--stack-outputs", "acme/eks-platform/dev={dir}/platform-dev.json"),
        files={"platform-dev.json": json.dumps(PLATFORM_OUTPUTS)},
    ),
    # -- the add-ons -----------------------------------------------------------------------------
    Misuse(
        "load-balancer-scheme-public",
        'LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=cluster, '
        'ingress_scheme="public"))\n',
        "LoadBalancerController 'lbc': ingress_scheme: ",
        ("'public' is not one of internal, internet-facing",),
    ),
    Misuse(
        "load-balancer-replicas-as-a-string",
        'LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=cluster, replicas="2"))\n',
        "LoadBalancerController 'lbc': replicas: ",
        ("expected an integer, got str '2'",),
    ),
    Misuse(
        "load-balancer-camel-case-keyword",
        'LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=cluster, '
        'ingressClass="alb"))\n',
        "{where}: LoadBalancerControllerArgs: unknown argument 'ingressClass' "
        "(did you mean 'ingress_class'?)",
        line_of="ingressClass=",
    ),
    Misuse(
        "load-balancer-iam-certificate",
        'LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=cluster, '
        'certificate_arns=["arn:aws:iam::123456789012:server-certificate/web"]))\n',
        "LoadBalancerController 'lbc': certificate_arns[0]: ",
        ("is not an ACM certificate ARN",),
    ),
    Misuse(
        "load-balancer-irsa-without-oidc",
        'LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=cluster))\n',
        "LoadBalancerController 'lbc': identity: ",
        ("'irsa' needs the cluster's OIDC trust",),
        setup=LEGACY,
    ),
    Misuse(
        "external-dns-irsa-without-oidc",
        'ExternalDns("dns", ExternalDnsArgs(cluster=cluster, '
        'zones=[HostedZone(domain="reports.example.com")]))\n',
        "ExternalDns 'dns': identity: ",
        ("'irsa' needs the cluster's OIDC trust",),
        setup=LEGACY,
    ),
    Misuse(
        "external-dns-zone-as-a-string",
        'ExternalDns("dns", ExternalDnsArgs(cluster=cluster, zones=["reports.example.com"]))\n',
        "ExternalDns 'dns': zones[0]: ",
        ("expected a HostedZone, got str",),
    ),
    Misuse(
        "external-dns-policy-delete",
        'ExternalDns("dns", ExternalDnsArgs(cluster=cluster, '
        'zones=[HostedZone(domain="reports.example.com")], policy="delete"))\n',
        "ExternalDns 'dns': policy: ",
        ("'delete' is not one of sync, upsert-only, create-only",),
    ),
    Misuse(
        "external-secrets-prefix-wildcard",
        'ExternalSecrets("eso", ExternalSecretsArgs(cluster=cluster, secret_prefixes=["*"]))\n',
        "ExternalSecrets 'eso': secret_prefixes[0]: ",
        ("'*' is not a secret name prefix",),
    ),
    Misuse(
        "external-secrets-kms-alias",
        'ExternalSecrets("eso", ExternalSecretsArgs(cluster=cluster, secret_prefixes=["reports/"],'
        ' kms_key_arns=["alias/aws/secretsmanager"]))\n',
        "ExternalSecrets 'eso': kms_key_arns[0]: ",
        ("is not a KMS key ARN",),
    ),
    Misuse(
        "external-secrets-tenant-namespace",
        'ExternalSecrets("eso", ExternalSecretsArgs(cluster=cluster, secret_prefixes=["platform/"],'
        ' tenants={"reports": SecretsTenantSpec(namespace="Reports", '
        'secret_prefixes=["reports/"])}))\n',
        "ExternalSecrets 'eso': tenants['reports'].namespace: ",
        ("'Reports' is not a valid namespace",),
    ),
    Misuse(
        "external-secrets-irsa-without-oidc",
        'ExternalSecrets("eso", ExternalSecretsArgs(cluster=cluster, secret_prefixes=["reports/"]))\n',
        "ExternalSecrets 'eso': identity: ",
        ("'irsa' needs the cluster's OIDC trust",),
        setup=LEGACY,
    ),
    Misuse(
        "external-secrets-keyword-singular",
        'ExternalSecrets("eso", ExternalSecretsArgs(cluster=cluster, secret_prefix=["reports/"]))\n',
        "{where}: ExternalSecretsArgs: unknown argument 'secret_prefix' "
        "(did you mean 'secret_prefixes'?)",
        line_of="secret_prefix=",
    ),
    Misuse(
        "external-secret-without-a-cluster",
        DB_SECRET.replace("    cluster=cluster,\n", ""),
        "ExternalSecret 'reports-db': cluster: ",
        ("give the cluster it goes to",),
    ),
    Misuse(
        "external-secret-refresh-in-words",
        DB_SECRET.replace("    data=", '    refresh_interval="1 hour",\n    data='),
        "ExternalSecret 'reports-db': refresh_interval: ",
        ("'1 hour' is not a Go duration",),
    ),
    Misuse(
        "karpenter-pool-without-limits",
        'Karpenter("karpenter", KarpenterArgs(cluster=cluster, '
        'node_pools={"batch": NodePoolSpec(limits={})}))\n',
        "Karpenter 'karpenter': node_pools['batch'].limits: ",
        ("must set cpu and memory",),
    ),
    Misuse(
        "karpenter-capacity-type-spelling",
        'Karpenter("karpenter", KarpenterArgs(cluster=cluster, node_pools={"batch": NodePoolSpec('
        'limits={"cpu": "64", "memory": "256Gi"}, capacity_types=["SPOT"])}))\n',
        "Karpenter 'karpenter': node_pools['batch'].capacity_types[0]: ",
        ("'SPOT' is not one of spot, on-demand",),
    ),
    Misuse(
        "karpenter-irsa-without-oidc",
        'Karpenter("karpenter", KarpenterArgs(cluster=cluster, identity="irsa"))\n',
        "Karpenter 'karpenter': identity: ",
        ("'irsa' needs the cluster's OIDC trust",),
        setup=LEGACY,
    ),
    Misuse(
        "node-group-sizes-inverted",
        'NodeGroup("batch", NodeGroupArgs(cluster=cluster, spec=NodeGroupSpec('
        "min_size=3, desired_size=2, max_size=1)))\n",
        "NodeGroup 'batch': spec.min_size: ",
        ("must be <= desired_size",),
    ),
    Misuse(
        "node-group-capacity-type-spelling",
        'NodeGroup("batch", NodeGroupArgs(cluster=cluster, spec=NodeGroupSpec(capacity_type="spot")))\n',
        "NodeGroup 'batch': spec.capacity_type: ",
        ("'spot' is not one of ON_DEMAND, SPOT",),
    ),
    Misuse(
        "node-group-taint-effect-typo",
        'NodeGroup("batch", NodeGroupArgs(cluster=cluster, spec=NodeGroupSpec('
        'taints=[Taint(key="team", value="batch", effect="NoSchedul")])))\n',
        "NodeGroup 'batch': spec.taints[0].effect: ",
        ("'NoSchedul' is not one of",),
    ),
    Misuse(
        "node-group-spec-as-a-dict",
        'NodeGroup("batch", NodeGroupArgs(cluster=cluster, spec={"instance_types": ["m7g.large"]}))\n',
        "NodeGroup 'batch': spec: ",
        ("expected a NodeGroupSpec, got dict",),
    ),
    Misuse(
        "managed-addon-short-name",
        'ManagedAddon("ebs", ManagedAddonArgs(cluster=cluster, addon_name="ebs-csi"))\n',
        "ManagedAddon 'ebs': addon_name: ",
        ("'ebs-csi' is not in the list of EKS add-ons",),
    ),
    Misuse(
        "network-cidr-prefix-33",
        'Network("reports", NetworkArgs(cluster_name="reports", cidr_block="10.0.0.0/33"))\n',
        "Network 'reports': cidr_block: ",
        ("'10.0.0.0/33' is not a valid IPv4 CIDR block",),
    ),
    Misuse(
        "network-one-availability-zone",
        'Network("reports", NetworkArgs(cluster_name="reports", availability_zones=1))\n',
        "Network 'reports': availability_zones: ",
        ("1 must be an integer between 2 and 6",),
    ),
    Misuse(
        "network-keyword-singular",
        'Network("reports", NetworkArgs(cluster_name="reports", availability_zone=3))\n',
        "{where}: NetworkArgs: unknown argument 'availability_zone' "
        "(did you mean 'availability_zones'?)",
        line_of="availability_zone=",
    ),
]
