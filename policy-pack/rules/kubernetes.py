"""Kubernetes: pods (privilege, host namespaces, hostPath, pinned images, requests) and the IAM
roles ServiceAccounts name.

Workloads are checked where a program declares them: Pods, Deployments, StatefulSets,
DaemonSets, ReplicaSets, ReplicationControllers, Jobs and CronJobs of pulumi-kubernetes
(``kubernetes:<group>/<version>:<Kind>``). What a Helm release (``kubernetes:helm.sh/v3:Release``)
or a ``kubernetes:yaml/v2:ConfigFile`` renders is not visible to a policy: the release is one
resource whose manifests the provider renders at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from .common import (
    MANDATORY,
    Rule,
    as_list,
    boolean,
    get,
    k8s_annotations,
    kubernetes_namespace,
    mapping,
    policy_document,
    resource_policy,
    stack_policy,
    statements,
    string,
    string_list,
    truthy,
)

TEMPLATE = ("spec", "template", "spec")
POD_SPECS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:core/v1:ReplicationController": TEMPLATE,
    "kubernetes:apps/v1:Deployment": TEMPLATE,
    "kubernetes:apps/v1:StatefulSet": TEMPLATE,
    "kubernetes:apps/v1:DaemonSet": TEMPLATE,
    "kubernetes:apps/v1:ReplicaSet": TEMPLATE,
    "kubernetes:batch/v1:Job": TEMPLATE,
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", *TEMPLATE),
}
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(role|oidc-provider)/\S+$")
ACCOUNT_SOURCES = (
    "aws:iam/role:Role",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
)
PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
BEST_PRACTICES = "https://docs.aws.amazon.com/eks/latest/best-practices"


def pod_spec(args: ResourceValidationArgs) -> Mapping[str, Any]:
    return mapping(get(args.props, *POD_SPECS[args.resource_type]))


def containers(spec: Mapping[str, Any], ephemeral: bool = True) -> list[Mapping[str, Any]]:
    kinds = ["initContainers", "containers"] + (["ephemeralContainers"] if ephemeral else [])
    return [c for kind in kinds for c in as_list(spec.get(kind)) if isinstance(c, Mapping)]


PRIVILEGED = Rule(
    name="k8s-no-privileged-pods",
    description="Pods outside the system namespaces run no privileged container, share no host "
    "namespace (network, PID, IPC) and mount no hostPath",
    level=MANDATORY,
    area="kubernetes",
    rationale="Each of these gives the pod the node: a privileged container or a hostPath "
    "mount reaches the node's filesystem and kubelet credentials, host namespaces see every "
    "process and the node's network (its metadata endpoint included). The Pod Security "
    "Standards forbid them at the baseline level; only node agents in system namespaces need "
    "them.",
    source="CIS Amazon EKS Benchmark 4.2.1-4.2.4 (minimize privileged, hostPID, hostIPC, "
    "hostNetwork containers); Kubernetes Pod Security Standards: Baseline; EKS Best Practices "
    "Guide: Pod security",
    url=PSS,
    remediation="Remove privileged/hostNetwork/hostPID/hostIPC/hostPath, or run the agent in a "
    "system namespace listed in systemNamespaces.",
    config={
        "systemNamespaces": string_list(
            "Namespaces whose pods may be privileged (node agents).", ["kube-system"]
        )
    },
    cis="4.2.1",
)


def _privileged(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    namespace = kubernetes_namespace(args.props)
    if namespace in config["systemNamespaces"]:
        return
    spec = pod_spec(args)
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if truthy(spec.get(key)):
            yield f"{key}: true in namespace {namespace}"
    for volume in as_list(spec.get("volumes")):
        if get(volume, "hostPath"):
            yield f"volume {get(volume, 'name')} mounts hostPath {get(volume, 'hostPath', 'path')}"
    for container in containers(spec):
        if truthy(get(container, "securityContext", "privileged")):
            yield f"container {container.get('name')} is privileged"


IMAGES = Rule(
    name="k8s-image-pinned",
    description="Every container image names a version: a digest, or a tag other than latest",
    level=MANDATORY,
    area="kubernetes",
    rationale="An untagged image means :latest, and :latest (or any moving tag) changes under "
    "a running Deployment: nodes pull different code, a rollback redeploys the new image, and "
    "what was reviewed is not what runs. A digest pins the bytes.",
    source="EKS Best Practices Guide: Image security (use immutable tags); Kubernetes docs: "
    "Configuration best practices > Container images",
    url=f"{BEST_PRACTICES}/image-security.html",
    remediation="image: <repo>:<version> or <repo>@sha256:<digest>; set requireDigest to "
    "demand digests.",
    config={
        "requireDigest": boolean("Only digests (@sha256:...) pass, not tags."),
        "unpinnedTags": string_list("Tags that move, treated like no tag.", ["latest"]),
    },
    severity=Severity.MEDIUM,
)


def image_problem(image: Any, config: Mapping[str, Any]) -> str | None:
    """Why ``image`` is not pinned, or None."""
    if not isinstance(image, str) or not image:
        return "no image"
    if "@" in image:
        return None if image.split("@", 1)[1].startswith("sha256:") else "a malformed digest"
    if config.get("requireDigest"):
        return "no digest"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "no tag (pulls :latest)"
    tag = last.rsplit(":", 1)[1]
    if tag in config["unpinnedTags"]:
        return f"the moving tag :{tag}"
    return None


def _images(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    for container in containers(pod_spec(args)):
        problem = image_problem(container.get("image"), config)
        if problem:
            yield f"container {container.get('name')}: image {container.get('image')} has {problem}"


REQUESTS = Rule(
    name="k8s-resource-requests",
    description="Every container and init container requests CPU and memory",
    level=MANDATORY,
    area="kubernetes",
    rationale="The scheduler places pods by their requests; without them a node is "
    "overcommitted, pods are the first evicted (BestEffort), and Karpenter and the cluster "
    "autoscaler size nodes for nothing. Fargate needs them to pick a pod's size.",
    source="EKS Best Practices Guide: Reliability > Applications (set requests and limits); "
    "Kubernetes docs: Resource management for pods and containers",
    url=f"{BEST_PRACTICES}/application.html",
    remediation="resources: {requests: {cpu: 100m, memory: 128Mi}} on every container.",
    config={
        "requiredResources": string_list(
            "Resources every container must request.", ["cpu", "memory"]
        )
    },
    severity=Severity.MEDIUM,
)


def _requests(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    for container in containers(pod_spec(args), ephemeral=False):
        requests = mapping(get(container, "resources", "requests"))
        missing = [r for r in config["requiredResources"] if not requests.get(r)]
        if missing:
            yield f"container {container.get('name')} requests no {', '.join(missing)}"


SA_ACCOUNT = Rule(
    name="k8s-service-account-role-account",
    description="A ServiceAccount's eks.amazonaws.com/role-arn annotation names an IAM role of "
    "the platform's account",
    level=MANDATORY,
    area="kubernetes",
    rationale="IRSA assumes the annotated role with the pod's token; a role of another account "
    "that trusts this cluster's OIDC provider is a cross-account path that bypasses the "
    "account's own review, and a typo in the account silently breaks the workload. The "
    "annotation must be a role ARN of the account the platform runs in.",
    source="Amazon EKS User Guide: IAM roles for service accounts > Configure pods to use a "
    "service account (role ARN annotation); EKS Best Practices Guide: Identity and Access "
    "Management > IRSA",
    url="https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    remediation="Annotate with arn:aws:iam::<platform account>:role/<name>, or set accountId.",
    config={
        "accountId": string(
            "The platform's AWS account id; empty: the accounts of the stack's own IAM roles, "
            "OIDC providers and Pod Identity associations."
        )
    },
)


def _accounts(args: StackValidationArgs) -> set[str]:
    """Accounts of the stack's own IAM ARNs (role ARNs, OIDC providers they trust)."""
    found: set[str] = set()
    for resource in args.resources:
        if resource.resource_type not in ACCOUNT_SOURCES:
            continue
        try:
            candidates = [get(resource.props, "arn"), get(resource.props, "roleArn")]
            trust = policy_document(get(resource.props, "assumeRolePolicy"))
            for statement in statements(trust):
                candidates += as_list(get(statement, "Principal", "Federated"))
        except UnknownValueError:
            continue  # not known before it exists (preview): other resources still count
        for candidate in candidates:
            match = IAM_ARN.match(candidate) if isinstance(candidate, str) else None
            if match:
                found.add(match.group(1))
    return found


def _service_account_roles(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    accounts = {config["accountId"]} if config.get("accountId") else _accounts(args)
    for resource in args.resources:
        if resource.resource_type != SERVICE_ACCOUNT:
            continue
        try:
            arn = k8s_annotations(resource.props).get(ROLE_ARN_ANNOTATION)
        except UnknownValueError:
            continue
        if arn is None:
            continue
        match = IAM_ARN.match(arn) if isinstance(arn, str) else None
        if not match or match.group(2) != "role":
            yield f"{ROLE_ARN_ANNOTATION} is {arn!r}, not an IAM role ARN", resource.urn
        elif accounts and match.group(1) not in accounts:
            yield (
                f"{ROLE_ARN_ANNOTATION} names a role of account {match.group(1)}, not "
                f"{' or '.join(sorted(accounts))}",
                resource.urn,
            )


POLICIES = [
    resource_policy(PRIVILEGED, POD_SPECS, _privileged),
    resource_policy(IMAGES, POD_SPECS, _images),
    resource_policy(REQUESTS, POD_SPECS, _requests),
    stack_policy(SA_ACCOUNT, _service_account_roles),
]
RULES = [PRIVILEGED, IMAGES, REQUESTS, SA_ACCOUNT]
