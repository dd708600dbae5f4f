"""What this library's dynamic providers share: how they are stored and whom they act as.

Pulumi runs a dynamic provider in its own process, the provider host
(``python -m pulumi.dynamic``), from the pickle the state holds, with the stack's configuration
as the only context. Three modules make that work whatever the layout and the credentials:

* :mod:`.by_value`: the provider is pickled as the source of the modules it runs, not as a
  module path, so a state written from the repository (``components``) is destroyed from the
  installed package (``eks_platform``) and the other way round, and moving code never breaks
  ``refresh`` or ``destroy``;
* :mod:`.aws`: the boto3 session from the stack's ``aws:*`` settings (region, profile, assumed
  roles, shared files), so the provider acts as the same identity as pulumi-aws;
* :mod:`.kube`: the Kubernetes API client from the cluster's kubeconfig with a token of that
  session, and the owner marker of a cleanup;
* :mod:`.provider`: the bases, :class:`AwsProvider` and :class:`CleanupProvider` (armed, and
  run on delete only by the resource the cluster's marker names).

The modules use the standard library, ``pulumi``, ``boto3`` and ``kubernetes`` only, and each
other through relative imports: :mod:`.by_value` checks that when it pickles a provider.
"""

from __future__ import annotations

from .by_value import BundleError, ByValue, bundle
from .provider import AwsProvider, CleanupProvider, Marker

__all__ = ["AwsProvider", "BundleError", "ByValue", "CleanupProvider", "Marker", "bundle"]
