"""The bases of this library's dynamic providers: the stack's AWS settings, and the cleanups.

:class:`AwsProvider` reads the stack's ``aws:*`` configuration in ``configure`` and acts with
that session (:mod:`.aws`); it is pickled by value (:mod:`.by_value`).

:class:`CleanupProvider` is a resource whose work happens on *delete*: deleting what a
controller made for objects no stack owns, before the controller goes. Two rules make that
delete happen only when meant:

* ``armed``: a disabled cleanup stays registered with ``armed: false`` (an update, which runs
  nothing); its later delete does nothing. Turning the feature off never runs the cleanup.
* the owner marker (:mod:`.kube`): every create and update writes the resource's id into
  ``kube-system/<MARKER>``; a delete runs only when the marker still names it (or there is
  none: a state written before markers existed). After a rename or a new parent (a new URN),
  the new resource's create overwrites the marker, so the old one's delete does nothing.

Nothing else replaces a cleanup resource: its ``diff`` never asks for replacement.
"""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from pulumi.dynamic import (
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ResourceProvider,
    UpdateResult,
)

from .aws import session, settings_from_config
from .by_value import ByValue
from .kube import ConfigMapMarker, api_client


def changed_keys(
    olds: dict[str, Any], news: dict[str, Any], outputs: tuple[str, ...] = ()
) -> list[str]:
    """The inputs whose value differs (the serialized provider included: new code is recorded)."""
    keys = (set(olds) | set(news)) - set(outputs)
    return sorted(k for k in keys if olds.get(k) != news.get(k))


class AwsProvider(ByValue, ResourceProvider):
    """A dynamic provider acting with the stack's AWS settings (``aws:region``, ``aws:profile``,
    ``aws:assumeRoles`` ...), read in :meth:`configure`; a resource's ``region`` input wins over
    ``aws:region`` (it is the region of the component's own aws provider)."""

    aws: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.aws = {}
        self._sessions: dict[str | None, Any] = {}

    def configure(self, req: ConfigureRequest) -> None:
        self.aws = settings_from_config(req.config.get)
        self._sessions = {}

    def session(self, props: dict[str, Any]) -> Any:
        """The boto3 session for a resource with ``props`` (one per region: the host serves a
        whole deployment, and an assumed role's credentials renew themselves)."""
        region = props.get("region") or None
        if region not in self._sessions:
            self._sessions[region] = session(self.aws, region)
        return self._sessions[region]

    def region(self, props: dict[str, Any]) -> str | None:
        return props.get("region") or self.aws.get("region") or None


class Marker(Protocol):
    """What a cleanup needs of its owner marker (:class:`~.kube.ConfigMapMarker`)."""

    def owner(self) -> str | None:
        """The id of the resource that owns the cleanup; None: no marker."""
        ...

    def claim(self, owner: str) -> None:
        """Name ``owner`` as the cleanup's resource."""
        ...

    def release(self, owner: str) -> None:
        """Remove the marker if it names ``owner``."""
        ...


class CleanupProvider(AwsProvider):
    """A cleanup that runs on delete when armed and still the cluster's (see the module).

    A subclass sets :attr:`KIND` and :attr:`MARKER` and implements :meth:`clean`. Its inputs
    include ``kubeconfig``, ``clusterName``, ``region`` and ``armed``.
    """

    KIND = "cleanup"
    """Names the resource's id: ``<cluster>-<KIND>-<random>``."""
    MARKER = "eks-platform-cleanup"
    """The owner marker's name in kube-system: one cleanup of a kind per cluster."""

    def __init__(self) -> None:
        super().__init__()
        self._clients: dict[tuple[str, str, str | None], Any] = {}

    def kubernetes(self, props: dict[str, Any]) -> Any:
        """The Kubernetes API client for the resource's cluster, as the stack's identity (one
        per cluster and kubeconfig; its token renews itself)."""
        key = (str(props["kubeconfig"]), props["clusterName"], self.region(props))
        # A provider unpickled from an older state was never __init__ed: no cache yet.
        clients = self.__dict__.setdefault("_clients", {})
        if key not in clients:
            clients[key] = api_client(
                props["kubeconfig"], props["clusterName"], self.session(props), self.region(props)
            )
        return clients[key]

    def marker(self, api: Any, props: dict[str, Any]) -> Marker:
        """The owner marker of this kind of cleanup in the cluster."""
        what = f"the {self.KIND} of cluster {props['clusterName']}: runs on delete of this id only"
        return ConfigMapMarker(api, self.MARKER, what)

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_ = f"{props['clusterName']}-{self.KIND}-{secrets.token_hex(4)}"
        self.marker(self.kubernetes(props), props).claim(id_)
        return CreateResult(id_=id_, outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_keys(olds, news)
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.marker(self.kubernetes(news), news).claim(id_)
        return UpdateResult(outs=news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Run :meth:`clean` if armed and the marker names this resource (or is missing)."""
        if not props.get("armed", True):
            return
        api = self.kubernetes(props)
        marker = self.marker(api, props)
        if marker.owner() not in (None, id_):
            return  # another resource (this one renamed or moved) owns the cleanup now
        self.clean(props, api)
        marker.release(id_)

    def clean(self, props: dict[str, Any], api: Any) -> None:
        """The work of the delete, with the Kubernetes API client ``api``."""
        raise NotImplementedError
