"""The Kubernetes API of a dynamic provider, as the stack's AWS identity, and the owner marker.

**Identity.** The cluster's kubeconfig authenticates with an ``exec`` of ``aws eks get-token``,
which would run as whatever the provider host's environment says. :func:`api_client` keeps the
kubeconfig's server and certificate authority and replaces an ``exec`` user by the EKS token of
the provider's own boto3 session (the stack's ``aws:*`` settings, :mod:`.aws`): a presigned
``sts:GetCallerIdentity`` URL carrying the cluster's name in the signed ``x-k8s-aws-id``
header, renewed every five minutes (EKS accepts one for 15). A kubeconfig with a token or a
client certificate is used as it is.

**Owner marker.** A cleanup runs on delete, and a delete also happens when the resource's URN
changes (a rename, a new parent): the new resource is created, then the old one deleted. The
ConfigMap ``kube-system/<marker>`` names the resource that owns the cleanup (its id, which every
create and update writes); a delete whose id is not the one named there does nothing.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

MARKER_NAMESPACE = "kube-system"
TOKEN_PREFIX = "k8s-aws-v1."
TOKEN_RENEW_SECONDS = 300
MANAGED_BY = {"app.kubernetes.io/managed-by": "eks-platform"}


def eks_token(session: Any, cluster_name: str, region: str | None) -> str:
    """The bearer token EKS accepts for ``session``'s identity on ``cluster_name`` (what
    ``aws eks get-token`` prints)."""
    sts = session.client("sts", region_name=region)

    def add_cluster(request: Any, **_: Any) -> None:
        request.headers["x-k8s-aws-id"] = cluster_name

    sts.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster)
    url = sts.generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"
    )
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def _load(kubeconfig: Any) -> dict[str, Any]:
    if isinstance(kubeconfig, dict):
        return json.loads(json.dumps(kubeconfig))
    try:
        return dict(json.loads(kubeconfig))
    except ValueError:
        import yaml

        return dict(yaml.safe_load(kubeconfig))


def _current_user(config: dict[str, Any]) -> dict[str, Any]:
    contexts = {c["name"]: c.get("context") or {} for c in config.get("contexts") or []}
    context = contexts.get(config.get("current-context") or "") or next(iter(contexts.values()), {})
    users = {u["name"]: u for u in config.get("users") or []}
    entry: dict[str, Any] = users.get(context.get("user") or "") or next(
        iter(users.values()), {"user": {}}
    )
    user = entry.setdefault("user", {})
    return user if isinstance(user, dict) else {}


def api_client(kubeconfig: Any, cluster_name: str, session: Any, region: str | None) -> Any:
    """A ``kubernetes.client.ApiClient`` for the kubeconfig's cluster (see the module)."""
    from kubernetes import config as kube_config

    config = _load(kubeconfig)
    user = _current_user(config)
    eks = "exec" in user and "token" not in user
    if eks:
        user.clear()
        user["token"] = eks_token(session, cluster_name, region)
    api = kube_config.new_client_from_config_dict(config)
    if eks:
        issued = [time.monotonic()]

        def renew(configuration: Any) -> None:
            if time.monotonic() - issued[0] > TOKEN_RENEW_SECONDS:
                token = eks_token(session, cluster_name, region)
                # "authorization" up to client 35, "BearerToken" since.
                for key, value in list(configuration.api_key.items()):
                    if str(value).startswith("Bearer "):
                        configuration.api_key[key] = f"Bearer {token}"
                issued[0] = time.monotonic()

        api.configuration.refresh_api_key_hook = renew
    return api


def _not_found(error: Exception) -> bool:
    return getattr(error, "status", None) == 404


class ConfigMapMarker:
    """The owner marker: the ConfigMap ``kube-system/<name>``, ``data.owner`` an id."""

    def __init__(self, api: Any, name: str, what: str) -> None:
        from kubernetes import client

        self._core: Any = client.CoreV1Api(api)
        self._error = client.ApiException
        self.name = name
        self.what = what

    def owner(self) -> str | None:
        """The id the marker names; None when there is no marker."""
        try:
            found = self._core.read_namespaced_config_map(self.name, MARKER_NAMESPACE)
        except self._error as error:
            if _not_found(error):
                return None
            raise
        return (found.data or {}).get("owner")

    def claim(self, owner: str) -> None:
        """Make ``owner`` the resource the marker names (created, or replaced)."""
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": self.name, "namespace": MARKER_NAMESPACE, "labels": MANAGED_BY},
            "data": {"owner": owner, "what": self.what},
        }
        try:
            self._core.replace_namespaced_config_map(self.name, MARKER_NAMESPACE, body)
        except self._error as error:
            if not _not_found(error):
                raise
            self._core.create_namespaced_config_map(MARKER_NAMESPACE, body)

    def release(self, owner: str) -> None:
        """Delete the marker if it still names ``owner``."""
        if self.owner() != owner:
            return
        try:
            self._core.delete_namespaced_config_map(
                self.name, MARKER_NAMESPACE, _preload_content=False
            ).read()
        except self._error as error:
            if not _not_found(error):
                raise
