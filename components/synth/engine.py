"""What the engine refuses, refused offline: duplicate URNs, unregistered parents, providers and
dependencies.

Under ``pulumi preview`` the engine checks every registration the program makes: a URN it has
seen before (``Duplicate resource URN '<urn>'; try giving it a unique name``), a parent it does
not know (``could not find parent resource <urn>``), a provider reference it does not know
(``unknown provider '<ref>'``), a dependency on a resource that is not in the deployment. The
SDK's mock monitor checks none of these; :class:`Registry` does, for the
:class:`~.record.RecordingMonitor`, and names where the program made the registration as
``<file>:<line>`` (:func:`~.errors.registration_location`).
"""

from __future__ import annotations

import threading
from typing import Any

from .errors import EngineRefusal, Location, registration_location

ROOT_STACK = "pulumi:pulumi:Stack"


def _provider_urn(reference: str) -> str:
    """The URN of a provider reference ``<urn>::<id>``."""
    return reference.rsplit("::", 1)[0]


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


class Registry:
    """The URNs registered so far (where, and under which parent): the engine's view of the
    deployment, checked at every registration. Registrations arrive on the SDK's worker
    threads, hence the lock.

    The mock monitor's URNs (which the synth records) are not quite the engine's: they carry
    the root stack's type and only the parent's last type. Duplicates are found, and URNs
    named, as the engine makes them: the parent's full qualified type, the root stack's left
    out (``Deployment.generateURN``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine_urns: dict[str, str] = {}
        """Every registered mock URN -> the engine's URN of that resource."""
        self._where: dict[str, Location | None] = {}
        """Every registered engine URN -> where the program registered it."""
        self._parents: dict[str, str] = {}
        self.refusals: list[EngineRefusal] = []
        """Every refusal, in order: the first is the one the engine would have reported."""

    def add_stack(self, urn: str) -> None:
        with self._lock:
            self._engine_urns[urn] = urn
            self._where[urn] = None

    def engine_urn(self, urn: str, request: Any) -> str:
        """The URN the engine gives a registration the mock monitor calls ``urn``."""
        stack, project = urn.split("::")[:2]
        qualified = request.type
        parent = self._engine_urns.get(request.parent, request.parent) if request.parent else None
        if parent is not None and _qualified_type(parent) != ROOT_STACK:
            qualified = f"{_qualified_type(parent)}${request.type}"
        return f"{stack}::{project}::{qualified}::{request.name}"

    def parent_of(self, urn: str) -> str | None:
        with self._lock:
            return self._parents.get(urn)

    def register(self, urn: str, request: Any) -> None:
        """Admit a registration (RegisterResource or ReadResource), or refuse it as the engine
        does: raise :class:`EngineRefusal` (also kept in :attr:`refusals`)."""
        where = registration_location(request)
        with self._lock:
            engine_urn = self.engine_urn(urn, request)
            problem = self._problem(engine_urn, request)
            if problem is None:
                self._engine_urns[urn] = engine_urn
                self._where[engine_urn] = where
                if request.parent:
                    self._parents[urn] = request.parent
                return
            first = None
            if engine_urn in self._where and problem.startswith("Duplicate"):
                where, first = _in_order(where, self._where[engine_urn])
            refusal = EngineRefusal(problem, where, first)
            self.refusals.append(refusal)
        raise refusal

    def check_invoke(self, request: Any) -> None:
        """An invoke through an explicit provider needs that provider registered."""
        with self._lock:
            if not request.provider or _provider_urn(request.provider) in self._engine_urns:
                return
            refusal = EngineRefusal(
                f"{request.tok}: unknown provider '{request.provider}': no provider with that "
                "URN is registered in this program",
                registration_location(request),
            )
            self.refusals.append(refusal)
        raise refusal

    def _problem(self, urn: str, request: Any) -> str | None:
        """What the engine refuses in a registration whose engine URN is ``urn``, if anything."""
        parent = request.parent
        if parent and parent not in self._engine_urns:
            return (
                f"could not find parent resource {parent} of {urn}: no resource with that URN "
                "is registered in this program (pass a resource this program creates as parent)"
            )
        if urn in self._where:
            return f"Duplicate resource URN '{urn}'; try giving it a unique name"
        providers = [request.provider] if request.provider else []
        providers += list(getattr(request, "providers", {}).values())
        for reference in providers:
            if _provider_urn(reference) not in self._engine_urns:
                return (
                    f"unknown provider '{reference}' for {urn}: no provider with that URN is "
                    "registered in this program"
                )
        for dependency in request.dependencies:
            if dependency not in self._engine_urns:
                return (
                    f"resource {urn}'s dependency {dependency} refers to a missing resource: "
                    "nothing in this program registers it (depends_on takes resources this "
                    "program creates)"
                )
        return None


def _in_order(
    this: Location | None, first: Location | None
) -> tuple[Location | None, Location | None]:
    """(the later, the earlier) of two registrations of one URN in one file: the worker
    threads may deliver them in either order."""
    if (
        this is not None
        and first is not None
        and this.path == first.path
        and this.line < first.line
    ):
        return first, this
    return this, first
