"""Fake APIs over HTTP for the provider host: the Kubernetes API server and EKS access entries.

:class:`FakeKubernetes` answers the calls the official ``kubernetes`` client makes for the
cleanups (lists across namespaces, read, create, replace, delete; core, networking and custom
objects), authenticates like EKS (the bearer token is a presigned ``sts:GetCallerIdentity``
URL: the identity is what moto's STS says for the access key that signed it), and plays the
controllers: an object with finalizers survives ``rounds`` further reads after its delete, and
``on_delete``/``on_gone`` hooks let a test act as the controller (delete a load balancer,
terminate an instance). :class:`FakeEks` answers ``ListAccessEntries``,
``DescribeAccessEntry`` and ``DeleteAccessEntry`` (REST-JSON), which moto lacks.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Key = tuple[str, str, str, str]
"""(group/version path, namespace or "", plural, name)."""
_PATH = re.compile(r"^/(api/v1|apis/[^/]+/[^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?$")


class _Server:
    """A threaded HTTP server calling ``self.handle(method, path, query, headers, body)``
    (``headers``: the request's, looked up without regard to case)."""

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                status, payload, extra = outer.handle(
                    self.command, parsed.path, parsed.query, self.headers, body
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *_: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.lock = threading.RLock()
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()

    def handle(
        self, method: str, path: str, query: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def caller_of_token(token: str, moto_url: str) -> str:
    """The identity EKS would see for a ``k8s-aws-v1.`` token: moto's STS answer for the access
    key that signed the presigned URL (moto does not check signatures, only reads the key)."""
    url = base64.urlsafe_b64decode(token.removeprefix("k8s-aws-v1.") + "==").decode()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0].split(";"), url
    access_key = query["X-Amz-Credential"][0].split("/")[0]
    request = urllib.request.Request(
        moto_url + "/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/20240101/us-west-2/"
            "sts/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    found = re.search(r"<Arn>([^<]+)</Arn>", text)
    assert found, text
    return found.group(1)


class FakeKubernetes(_Server):
    """A Kubernetes API server holding objects in memory (see the module)."""

    def __init__(self, moto_url: str, caller: str | None = None) -> None:
        super().__init__()
        self.moto_url = moto_url
        self.caller = caller
        """The only identity admitted (None: any token)."""
        self.objects: dict[Key, dict[str, Any]] = {}
        self.dying: dict[Key, int] = {}
        self.callers: set[str] = set()
        self.tokens: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self.on_delete: Callable[[Key, dict[str, Any]], None] = lambda key, obj: None
        self.on_gone: Callable[[Key, dict[str, Any]], None] = lambda key, obj: None

    def kubeconfig(self, cluster: str) -> str:
        """A kubeconfig as the cluster exports it: its user runs ``aws eks get-token``."""
        return json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": cluster, "cluster": {"server": self.url}}],
                "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": cluster}}],
                "current-context": cluster,
                "users": [
                    {
                        "name": cluster,
                        "user": {
                            "exec": {
                                "apiVersion": "client.authentication.k8s.io/v1beta1",
                                "command": "aws",
                                "args": ["eks", "get-token", "--cluster-name", cluster],
                            }
                        },
                    }
                ],
            }
        )

    def put(self, api: str, plural: str, name: str, namespace: str = "", **fields: Any) -> Key:
        """Store an object (``rounds``: reads it survives after its delete)."""
        key = (api, namespace, plural, name)
        metadata: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
        metadata.update(fields.pop("metadata", {}))
        self.objects[key] = {"metadata": metadata, **fields}
        return key

    def names(self, api: str, plural: str) -> list[str]:
        return sorted(k[3] for k in self.objects if (k[0], k[2]) == (api, plural))

    def _read(self, key: Key) -> dict[str, Any] | None:
        """The object, counting down a dying one (gone when its count is spent)."""
        if key in self.dying:
            self.dying[key] -= 1
            if self.dying[key] < 0:
                del self.dying[key]
                obj = self.objects.pop(key)
                self.on_gone(key, obj)
                return None
        return self.objects.get(key)

    def delete(self, key: Key) -> None:
        obj = self.objects.get(key)
        if obj is None or key in self.dying:
            return
        rounds = int(obj.get("rounds", 0))
        self.on_delete(key, obj)
        if rounds:
            obj["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
            self.dying[key] = rounds
        else:
            del self.objects[key]
            self.on_gone(key, obj)

    def handle(
        self, method: str, path: str, query: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer k8s-aws-v1."):
            return 401, {"kind": "Status", "code": 401, "message": "no EKS token"}, {}
        token = auth.removeprefix("Bearer ")
        if token not in self.tokens:  # the client renews its token every five minutes
            self.tokens[token] = caller_of_token(token, self.moto_url)
        caller = self.tokens[token]
        self.callers.add(caller)
        if self.caller is not None and caller != self.caller:
            return 403, {"kind": "Status", "code": 403, "message": f"{caller} denied"}, {}
        match = _PATH.match(path)
        if not match:
            return 404, {"kind": "Status", "code": 404, "message": path}, {}
        api, namespace, plural, name = match.groups()
        namespace = namespace or ""
        with self.lock:
            self.requests.append((method, path))
            return self._route(method, (api, namespace, plural, name or ""), body)

    def _route(self, method: str, key: Key, body: Any) -> tuple[int, Any, dict[str, str]]:
        api, namespace, plural, name = key
        status = {"kind": "Status", "apiVersion": "v1", "status": "Success"}
        if not name and method == "GET":
            items = [
                obj
                for k in sorted(self.objects)
                if (k[0], k[2]) == (api, plural) and (not namespace or k[1] == namespace)
                for obj in [self._read(k)]
                if obj is not None
            ]
            return 200, {"kind": "List", "apiVersion": "v1", "items": items}, {}
        if not name and method == "POST":
            key = (api, namespace, plural, body["metadata"]["name"])
            if key in self.objects:
                return 409, {**status, "status": "Failure", "code": 409}, {}
            self.objects[key] = body
            return 201, body, {}
        found = self._read(key)
        if found is None:
            return 404, {**status, "status": "Failure", "code": 404, "reason": "NotFound"}, {}
        if method == "GET":
            return 200, found, {}
        if method == "PUT":
            self.objects[key] = body
            return 200, body, {}
        if method == "DELETE":
            # As the API server answers: the object while finalizers hold it (and a Service,
            # always), a Status once it is gone.
            self.delete(key)
            if key in self.objects or plural == "services":
                return 200, found, {}
            return 200, status, {}
        return 405, status, {}


class FakeEks(_Server):
    """EKS access entries: ``{cluster: {principal: tags}}``."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, dict[str, dict[str, str]]] = {}

    def handle(
        self, method: str, path: str, query: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        missing = (404, {"message": "not found"}, {"x-amzn-ErrorType": "ResourceNotFoundException"})
        if len(parts) < 3 or parts[0] != "clusters" or parts[2] != "access-entries":
            return missing
        with self.lock:
            cluster = self.entries.get(parts[1])
            if cluster is None:
                return missing
            if len(parts) == 3 and method == "GET":
                return 200, {"accessEntries": sorted(cluster)}, {}
            principal = parts[3] if len(parts) == 4 else ""
            if principal not in cluster:
                return missing
            if method == "GET":
                entry = {"principalArn": principal, "tags": cluster[principal], "type": "STANDARD"}
                return 200, {"accessEntry": entry}, {}
            if method == "DELETE":
                del cluster[principal]
                return 200, {}, {}
        return 405, {"message": method}, {}
