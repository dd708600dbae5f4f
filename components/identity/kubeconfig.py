"""A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``."""

from __future__ import annotations

import json
from typing import Any


def kubeconfig_json(cluster_name: str, endpoint: str, certificate_authority_data: str) -> str:
    """A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {
                        "server": endpoint,
                        "certificate-authority-data": certificate_authority_data,
                    },
                }
            ],
            "contexts": [
                {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
            ],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--output",
                                "json",
                            ],
                        }
                    },
                }
            ],
        }
    )


def kubeconfig_server(kubeconfig: str | dict[str, Any]) -> str:
    """The API server URL of a kubeconfig (JSON text or parsed)."""
    doc = json.loads(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return str(doc["clusters"][0]["cluster"]["server"])
