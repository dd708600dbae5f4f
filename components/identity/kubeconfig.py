"""A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``."""

from __future__ import annotations

import json


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
