"""Fixtures of the provider-host tests: moto's server (``tests/conftest.py``), the fake APIs, a
stack's AWS settings, and the provider hosts of each layout, shared by the tests."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.dynamic.fakes import FakeEks, FakeKubernetes
from tests.dynamic.host import Host, Hosts

ROOT = Path(__file__).resolve().parent.parent.parent
REGION = "us-west-2"
ACCOUNT = "123456789012"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci/eks-platform-dev-deploy"
SESSION = "pulumi-up"
ASSUMED = f"arn:aws:sts::{ACCOUNT}:assumed-role/eks-platform-dev-deploy/{SESSION}"
"""Who the providers must act as: the stack's profile, then the role of ``aws:assumeRoles``."""


@pytest.fixture
def moto(moto_server: str) -> str:
    """moto's server. Not emptied between tests (its EC2 backend takes seconds to start
    again): each test works on a cluster of its own name (:func:`cluster`)."""
    return moto_server


_CLUSTERS = itertools.count(1)


@pytest.fixture
def cluster() -> str:
    """A cluster name of this test's own."""
    return f"dev-eks-{next(_CLUSTERS)}"


def client(moto: str, service: str) -> Any:
    """A boto3 client of the test itself (not the provider's) talking to moto."""
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=moto,
        aws_access_key_id="AKIATESTTESTTESTTEST",
        aws_secret_access_key="test",
    )


@dataclass
class Stack:
    """A stack's AWS settings and the provider host's environment: no credentials but what the
    configuration names (a profile in a shared-credentials file of its own, then a role)."""

    env: dict[str, str]
    config: dict[str, Any]
    deployer_user: str


@pytest.fixture(scope="session")
def deployer(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An IAM user of moto with an access key, in a profile ``deploy`` of a shared-credentials
    file of its own: (the file, the user's ARN)."""
    iam = client(moto_server, "iam")
    iam.create_user(UserName="deployer")
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    credentials = tmp_path_factory.mktemp("aws") / "credentials"
    credentials.write_text(
        f"[deploy]\naws_access_key_id = {key['AccessKeyId']}\n"
        f"aws_secret_access_key = {key['SecretAccessKey']}\n"
    )
    return credentials, f"arn:aws:iam::{ACCOUNT}:user/deployer"


@pytest.fixture(scope="session")
def fake_eks() -> Iterator[FakeEks]:
    """EKS access entries (moto lacks them), one server per session: :func:`eks` empties it."""
    server = FakeEks()
    yield server
    server.close()


@pytest.fixture(scope="session")
def session_stack(
    moto_server: str,
    deployer: tuple[Path, str],
    fake_eks: FakeEks,
    tmp_path_factory: pytest.TempPathFactory,
) -> Stack:
    """The stack of every test (the provider hosts' environment)."""
    credentials, user = deployer
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONPATH"))}
    env.update(
        HOME=str(home),
        AWS_ENDPOINT_URL=moto_server,
        AWS_ENDPOINT_URL_EKS=fake_eks.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "none"),
    )
    config = {
        "aws:region": REGION,
        "aws:profile": "deploy",
        "aws:sharedCredentialsFiles": json.dumps([str(credentials)]),
        "aws:assumeRoles": json.dumps(
            [{"roleArn": DEPLOY_ROLE, "sessionName": SESSION, "duration": "1h"}]
        ),
        "eks-platform:cluster": "{}",
    }
    return Stack(env, config, user)


@pytest.fixture(scope="session")
def hosts(session_stack: Stack) -> Iterator[Hosts]:
    """The provider hosts of the session (:class:`~tests.dynamic.host.Hosts`)."""
    shared = Hosts(session_stack.env)
    yield shared
    shared.close()


@pytest.fixture
def stack(session_stack: Stack) -> Stack:
    """The stack's settings (a copy: a test may change its own, which the shared hosts, started
    with the session's environment, do not see)."""
    return Stack(dict(session_stack.env), dict(session_stack.config), session_stack.deployer_user)


@pytest.fixture
def host(hosts: Hosts, tmp_path_factory: pytest.TempPathFactory) -> Host:
    """The provider host where neither ``components`` nor ``eks_platform`` can be imported (no
    ``PYTHONPATH``, ``cwd`` elsewhere): it has only what the state's pickle carries."""
    return hosts.get(_elsewhere(tmp_path_factory, "bare"))


@pytest.fixture
def repository_host(hosts: Hosts) -> Host:
    """The provider host of the repository layout: ``components`` importable (``cwd`` and
    ``PYTHONPATH`` the repository), ``eks_platform`` not."""
    return hosts.get(ROOT, [ROOT])


@pytest.fixture
def installed_host(
    hosts: Hosts, installed_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Host:
    """The provider host of the installed layout: ``eks_platform`` importable (``PYTHONPATH``
    only the directory the wheel was installed into, ``cwd`` elsewhere), ``components`` not."""
    return hosts.get(_elsewhere(tmp_path_factory, "elsewhere"), [installed_site])


def _elsewhere(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory of the session's own, outside the repository."""
    path = tmp_path_factory.getbasetemp() / f"host-{name}"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def kubernetes(moto: str) -> Iterator[FakeKubernetes]:
    """The cluster's API server, admitting only the stack's assumed role."""
    server = FakeKubernetes(moto, caller=ASSUMED)
    yield server
    server.close()


@pytest.fixture
def eks(fake_eks: FakeEks) -> Iterator[FakeEks]:
    """EKS access entries, empty for the test (the hosts' ``AWS_ENDPOINT_URL_EKS``)."""
    fake_eks.entries.clear()
    yield fake_eks
    fake_eks.entries.clear()
