"""What an EKS managed add-on takes (:class:`AddonSpec`), its rules, and the vendored list of
the add-on names EKS offers.

One spec serves every add-on, whoever installs it: the cluster's own (``EksClusterArgs.addons``,
the four core add-ons included), :class:`~components.cluster.managed_addon.ManagedAddon` on a
cluster of another program, and the platform's storage and metrics add-ons. The names come from
``components/policies/eks-addon-names.json`` (the EKS user guide's lists of AWS and community
add-ons, with their date): a name missing there is refused, naming that date, unless
``allow_unlisted`` (AWS Marketplace add-ons, or one EKS added since).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pulumi

from .. import policies
from .. import validation as v
from ..identity import iam
from ..identity.iam import RoleSettings
from ..identity.permissions import Grant
from ..identity.workload_identity import IdentityMechanism, validate_mechanism

ADDON_NAMES_FILE = "eks-addon-names.json"
"""The vendored list of EKS add-on names (in ``components/policies/``)."""
LATEST = "latest"
"""``AddonSpec.version``: the most recent version EKS offers for the cluster's Kubernetes
version, instead of its default one."""
_VERSION = re.compile(r"^v\d+\.\d+\.\d+(-[0-9A-Za-z][0-9A-Za-z.-]*)?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
IDENTITY_FIELDS = ("permissions", "managed_policy_arns", "inline_policies")
"""What a role may do; any of them needs ``service_account``."""


@dataclass(kw_only=True)
class AddonSpec:
    """An EKS managed add-on: its version, its configuration and, optionally, the IAM role of
    its ServiceAccount (the vocabulary of ``WorkloadRoleArgs``)::

        AddonSpec(service_account="efs-csi-controller-sa",
                  managed_policy_arns={"efs": "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"})
    """

    version: str | None = None
    """An exact add-on version (``v1.45.0-eksbuild.1``: ``aws eks describe-addon-versions
    --addon-name <name>``), or ``latest``. None: EKS's default version for the cluster's
    Kubernetes version, looked up on every run, so that a ``kubernetes_version`` bump moves the
    add-on too (``latest`` does the same with the most recent version)."""
    configuration_values: dict[str, Any] = field(default_factory=dict)
    """The add-on's configuration, a mapping sent as JSON; its keys are the add-on's
    (``aws eks describe-addon-configuration``). Keys the platform sets itself are refused."""
    service_account: str | None = None
    """The add-on's ServiceAccount to give an IAM role (e.g. ``efs-csi-controller-sa``); None:
    no role (the add-on runs with the node's permissions, or needs none). For a listed add-on
    whose ServiceAccount the EKS user guide names, it must be that one."""
    namespace: str | None = None
    """Namespace of ``service_account``. None: the add-on's namespace from the list (most run
    in ``kube-system``); required when the list does not know it."""
    identity: IdentityMechanism = "irsa"
    """How the role is attached: ``irsa`` (the add-on's ``serviceAccountRoleArn``: the
    ServiceAccount's annotation, through the cluster's OIDC provider) or ``pod-identity`` (the
    add-on's Pod Identity association; needs the ``eks-pod-identity-agent``)."""
    permissions: Sequence[Grant] = ()
    """What the role may do, as grants of :mod:`~components.identity.permissions` (Python only;
    in a stack file use ``managed_policy_arns`` or ``inline_policies``)."""
    managed_policy_arns: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Managed policies to attach to the role, keyed by names you choose."""
    inline_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Further inline policy documents of the role, by policy name."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The role's name, path, permissions boundary, session length and tags."""
    allow_unlisted: bool = False
    """Accept a name missing from the vendored list of EKS add-ons (an AWS Marketplace add-on,
    or one EKS added after the list's date)."""


@cache
def _catalog() -> dict[str, Any]:
    return policies.load_policy(ADDON_NAMES_FILE)


def listed_addons() -> dict[str, dict[str, str]]:
    """The listed add-ons by name: ``owner`` (``aws`` or ``community``) and, where the EKS
    user guide names them, ``namespace`` and ``serviceAccount``."""
    return {name: dict(entry) for name, entry in _catalog()["addons"].items()}


def list_date() -> str:
    """The date the vendored list was taken from its sources."""
    return str(_catalog()["asOf"])


def addon_namespace(addon_name: str, spec: AddonSpec) -> str | None:
    """Where the add-on's ServiceAccount lives: ``spec.namespace``, else the listed one."""
    return spec.namespace or listed_addons().get(addon_name, {}).get("namespace")


def validate_addon_name(addon_name: Any, allow_unlisted: bool, field_name: str) -> str:
    """An EKS add-on name, listed unless ``allow_unlisted``."""
    v.require(
        isinstance(addon_name, str) and _NAME.match(addon_name) is not None,
        field_name,
        f"{addon_name!r} is not an EKS add-on name (lower-case letters, digits, '.', '_' and "
        "'-', as `aws eks describe-addon-versions` lists them)",
    )
    known = listed_addons()
    if addon_name in known or allow_unlisted:
        return str(addon_name)
    close = difflib.get_close_matches(addon_name, known, n=2)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise v.fail(
        field_name,
        f"{addon_name!r} is not in the list of EKS add-ons of {list_date()} "
        f"({ADDON_NAMES_FILE}: the EKS user guide's AWS and community add-ons); {hint}check "
        f"`aws eks describe-addon-versions --addon-name {addon_name}`, and set allow_unlisted "
        "for an add-on EKS offers that the list lacks (e.g. from AWS Marketplace)",
    )


def validate_addon_spec(
    addon_name: str,
    spec: AddonSpec,
    *,
    managed: Mapping[str, str] | None = None,
    identity_owner: str | None = None,
) -> None:
    """Check ``spec`` for add-on ``addon_name``; errors name the spec's field (callers nest
    them). ``managed``: configuration paths (``controller.nodeSelector``) the caller sets, each
    with what sets it; ``identity_owner``: why the add-on takes no role of the spec's (the
    caller gives it its role, or it needs none)."""
    validate_addon_name(addon_name, spec.allow_unlisted, "")
    version = spec.version
    v.require(
        version is None
        or version == LATEST
        or (isinstance(version, str) and _VERSION.match(version) is not None),
        "version",
        f"{version!r} is not an add-on version: give an exact one such as v1.45.0-eksbuild.1 "
        f"(`aws eks describe-addon-versions --addon-name {addon_name}`), {LATEST!r}, or none to "
        "follow the cluster's Kubernetes version",
    )
    validate_configuration(spec.configuration_values, "configuration_values", managed or {})
    validate_mechanism(spec.identity, "identity")
    _validate_identity(addon_name, spec, identity_owner)


def validate_configuration(values: Any, field_name: str, managed: Mapping[str, str]) -> None:
    """A JSON mapping with none of the ``managed`` paths."""
    shown = repr(values) if len(repr(values)) <= 60 else repr(values)[:57] + "..."
    v.require(
        isinstance(values, Mapping),
        field_name,
        f"must be a mapping of the add-on's configuration keys (it is sent as JSON), got "
        f"{type(values).__name__} {shown}"
        + ("; give the keys, not a JSON string" if isinstance(values, str) else ""),
    )
    try:
        json.dumps(values)
    except (TypeError, ValueError) as error:
        raise v.fail(
            field_name, f"must hold JSON values only (strings, numbers, lists, mappings): {error}"
        ) from None
    for path, setter in managed.items():
        node: Any = values
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        v.require(node is None, f"{field_name}.{path}", f"is set by {setter}; use that instead")


def _validate_identity(addon_name: str, spec: AddonSpec, identity_owner: str | None) -> None:
    given = [f for f in IDENTITY_FIELDS if getattr(spec, f)]
    if spec.service_account is None:
        v.require(
            not given,
            "service_account",
            f"{', '.join(given)} need the add-on's ServiceAccount (service_account): the role "
            "is bound to it",
        )
        v.require(
            spec.identity == "irsa",  # the default
            "identity",
            f"{spec.identity} attaches a role to the add-on's ServiceAccount: give "
            "service_account and what the role may do, or leave identity unset",
        )
        return
    v.require(
        identity_owner is None,
        "service_account",
        f"{addon_name} takes no role of its own here: {identity_owner}",
    )
    v.dns_subdomain(spec.service_account, "service_account", "ServiceAccount name")
    listed = listed_addons().get(addon_name, {})
    expected = listed.get("serviceAccount")
    v.require(
        expected is None or spec.service_account == expected,
        "service_account",
        f"{addon_name}'s ServiceAccount is {expected!r} (EKS user guide); a role for "
        f"{spec.service_account!r} would never be used",
    )
    namespace = addon_namespace(addon_name, spec)
    v.require(
        namespace is not None,
        "namespace",
        f"the list does not know {addon_name}'s namespace; give the namespace its "
        "ServiceAccount lives in",
    )
    v.dns_label(namespace, "namespace", "namespace")
    v.require(
        bool(given),
        "service_account",
        "a role with nothing to do: give permissions, managed_policy_arns or inline_policies "
        "(or leave service_account unset)",
    )
    with v.nested("role"):
        iam.validate_role_settings(spec.role)
    iam.validate_policy_arns(spec.managed_policy_arns, "managed_policy_arns")
    iam.validate_inline_policies(spec.inline_policies, "inline_policies")


def validate_addon_map(
    addons: Mapping[str, AddonSpec],
    field_name: str = "addons",
    managed: Mapping[str, Mapping[str, str]] | None = None,
    identity_owners: Mapping[str, str] | None = None,
) -> None:
    """Each ``name: spec`` of a map of add-ons, errors under ``<field_name>[<name>]``."""
    for name, spec in addons.items():
        where = f"{field_name}[{name!r}]"
        v.check_type(spec, AddonSpec, where)
        with v.nested(where):
            v.check_fields(spec, AddonSpec, "")
            validate_addon_spec(
                name,
                spec,
                managed=(managed or {}).get(name),
                identity_owner=(identity_owners or {}).get(name),
            )


__all__ = [
    "LATEST",
    "AddonSpec",
    "addon_namespace",
    "list_date",
    "listed_addons",
    "validate_addon_map",
    "validate_addon_name",
    "validate_addon_spec",
    "validate_configuration",
]
