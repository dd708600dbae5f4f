"""Kubernetes objects have one owner: every object goes through an explicit cluster, and two
components of one program never create the same (kind, namespace, name) on one cluster.

Written as an app team's program would be: a second role for a ServiceAccount that already has
one, two teams' roles both creating the namespace, an ExternalSecret copied and pasted. Each is
refused in one line naming both components, before anything of the second is registered.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.addons.external_secrets.app_secrets import external_secret
from components.addons.external_secrets.args import SecretValue, StoreRef
from components.identity.irsa import IrsaRole
from components.identity.pod_identity import PodIdentityRole
from components.identity.workload_identity import ClusterBinding, WorkloadRoleArgs
from tests.support import light_cluster, manifest, refused, run

STORE = StoreRef(name="aws-secrets-manager")
DATA = [SecretValue(secret_key="password", remote_key="reports/db", property="password")]


def role_args(cluster: Any, **overrides: Any) -> WorkloadRoleArgs:
    args: dict[str, Any] = dict(cluster=cluster, namespace="reports", service_account="reader")
    args.update(overrides)
    return WorkloadRoleArgs(**args)


def test_two_components_creating_one_namespace_are_refused_naming_both() -> None:
    def program() -> None:
        cluster = light_cluster()
        IrsaRole("reports-reader", role_args(cluster, create_namespace=True))
        IrsaRole(
            "reports-writer",
            role_args(cluster, service_account="writer", create_namespace=True),
        )

    assert refused(program, "reports-writer") == (
        "IrsaRole 'reports-writer': namespace: Namespace 'reports' on cluster 'test' is already "
        "created by IrsaRole 'reports-reader' in this program (one object, one owner); create "
        "it in one of them (create_namespace=False in the others)"
    )


def test_two_roles_for_one_service_account_are_refused_naming_both() -> None:
    def program() -> None:
        cluster = light_cluster()
        IrsaRole("reports-reader", role_args(cluster))
        PodIdentityRole("reports-reader-pi", role_args(cluster))

    assert refused(program, "reports-reader-pi") == (
        "PodIdentityRole 'reports-reader-pi': service_account: ServiceAccount 'reports/reader' "
        "on cluster 'test' is already created by IrsaRole 'reports-reader' in this program (one "
        "object, one owner); a ServiceAccount has one role: give one of them another "
        "service_account, or create_service_account=False where a chart creates it"
    )


def test_a_cluster_binding_names_its_own_field() -> None:
    def program() -> None:
        blue, green = light_cluster("blue"), light_cluster("green")
        IrsaRole("orders", role_args(green, namespace="reports-v2"))
        IrsaRole(
            "reports",
            role_args(
                {"blue": blue, "green": ClusterBinding(cluster=green, namespace="reports-v2")}
            ),
        )

    message = refused(program, "reports")
    assert message.startswith(
        "IrsaRole 'reports': cluster['green'].namespace: ServiceAccount 'reports-v2/reader' on "
        "cluster 'green' is already created by IrsaRole 'orders'"
    )


def test_the_same_names_on_two_clusters_or_without_creating_are_fine() -> None:
    def program() -> None:
        blue, green = light_cluster("blue"), light_cluster("green")
        IrsaRole("reports-blue", role_args(blue, create_namespace=True))
        IrsaRole("reports-green", role_args(green, create_namespace=True))
        # A chart creates this one; the role only gives it the annotations.
        IrsaRole("reports-chart", role_args(blue, create_service_account=False))

    result = run(program)
    assert len(result.by_type("kubernetes:core/v1:ServiceAccount")) == 2
    assert len(result.by_type("kubernetes:core/v1:Namespace")) == 2


def test_a_duplicate_known_only_once_outputs_resolve_is_refused_then() -> None:
    def program() -> None:
        cluster = light_cluster()
        IrsaRole("reports-reader", role_args(cluster))
        IrsaRole(
            "reports-reader-2",
            role_args(cluster, service_account=pulumi.Output.from_input("reader")),
        )

    with pytest.raises(ValueError) as error:
        run(program)
    assert (
        str(error.value)
        .splitlines()[-1]
        .endswith(
            "IrsaRole 'reports-reader-2': service_account: ServiceAccount 'reports/reader' on "
            "cluster 'test' is already created by IrsaRole 'reports-reader' in this program (one "
            "object, one owner); a ServiceAccount has one role: give one of them another "
            "service_account, or create_service_account=False where a chart creates it"
        )
    )


# -- ExternalSecrets ------------------------------------------------------------------------


def test_an_external_secret_needs_an_explicit_cluster() -> None:
    def program() -> None:
        external_secret("db", name="db", namespace="reports", store=STORE, data=DATA)

    assert refused(program) == (
        "ExternalSecret 'db': cluster: give the cluster it goes to (cluster=an EksCluster or a "
        "ClusterRef), or opts with its Kubernetes provider (opts=operator.workload_options()); "
        "without either it would go to whatever cluster the deployer's kubeconfig points at"
    )


def test_an_external_secret_goes_through_the_cluster_given() -> None:
    def program() -> None:
        cluster = light_cluster()
        ns = k8s.core.v1.Namespace(
            "reports",
            metadata={"name": "reports"},
            opts=pulumi.ResourceOptions(provider=cluster.provider),
        )
        external_secret(
            "db", name="db", namespace=ns.metadata.name, store=STORE, data=DATA, cluster=cluster
        )
        # The operator's options carry the provider: no cluster= needed.
        external_secret(
            "api-key",
            name="api-key",
            namespace="reports",
            store=STORE,
            data=DATA,
            opts=pulumi.ResourceOptions(provider=cluster.provider),
        )

    result = run(program)
    provider = result.one("pulumi:providers:kubernetes").urn
    secrets = result.by_type("kubernetes:external-secrets.io/v1:ExternalSecret")
    assert [s.provider for s in secrets] == [provider, provider]
    assert {manifest(s)["metadata"]["namespace"] for s in secrets} == {"reports"}


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            dict(name="db"),
            "ExternalSecret 'db-copy': name: ExternalSecret 'reports/db' on cluster 'test' is "
            "already created by ExternalSecret 'db' in this program (one object, one owner); "
            "give one of them another name",
        ),
        (
            dict(name="db-v2", target_name="db"),
            "ExternalSecret 'db-copy': target_name: Secret 'reports/db' on cluster 'test' is "
            "already created by ExternalSecret 'db' in this program (one object, one owner); two "
            "ExternalSecrets writing one Secret overwrite each other: give one of them another "
            "target_name",
        ),
    ],
)
def test_a_copied_external_secret_is_refused_naming_both(
    second: dict[str, Any], message: str
) -> None:
    def program() -> None:
        cluster = light_cluster()
        external_secret(
            "db", name="db", namespace="reports", store=STORE, data=DATA, cluster=cluster
        )
        external_secret(
            "db-copy", namespace="reports", store=STORE, data=DATA, cluster=cluster, **second
        )

    assert refused(program, "db-copy") == message


def test_a_cluster_and_another_clusters_provider_are_refused() -> None:
    def program() -> None:
        blue, green = light_cluster("blue"), light_cluster("green")
        external_secret(
            "db",
            name="db",
            namespace="reports",
            store=STORE,
            data=DATA,
            cluster=blue,
            opts=pulumi.ResourceOptions(provider=green.provider),
        )

    assert refused(program, "db") == (
        "ExternalSecret 'db': opts.provider: is not the Kubernetes provider of cluster 'blue'; "
        "give cluster= or the provider, not both"
    )
