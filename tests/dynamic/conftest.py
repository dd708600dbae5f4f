"""Fixtures of the provider-host tests: moto's server, the fake APIs, a stack's AWS settings,
and the package installed from its wheel outside the repository."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.dynamic.fakes import FakeEks, FakeKubernetes

ROOT = Path(__file__).resolve().parent.parent.parent
REGION = "us-west-2"
ACCOUNT = "123456789012"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci/eks-platform-dev-deploy"
SESSION = "pulumi-up"
ASSUMED = f"arn:aws:sts::{ACCOUNT}:assumed-role/eks-platform-dev-deploy/{SESSION}"
"""Who the providers must act as: the stack's profile, then the role of ``aws:assumeRoles``."""


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


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


@pytest.fixture
def stack(moto: str, deployer: tuple[Path, str], tmp_path: Path) -> Stack:
    credentials, user = deployer
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONPATH"))}
    env.update(
        HOME=str(home),
        AWS_ENDPOINT_URL=moto,
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


@pytest.fixture
def kubernetes(moto: str) -> Iterator[FakeKubernetes]:
    """The cluster's API server, admitting only the stack's assumed role."""
    server = FakeKubernetes(moto, caller=ASSUMED)
    yield server
    server.close()


@pytest.fixture
def eks(stack: Stack) -> Iterator[FakeEks]:
    server = FakeEks()
    stack.env["AWS_ENDPOINT_URL_EKS"] = server.url
    yield server
    server.close()


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the package installed from its wheel (``eks_platform``), as
    ``pip install --no-deps --target`` puts it; the dependencies come from this interpreter."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "components", src / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp / "dist").glob("eks_platform-*.whl")
    site = tmp / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "eks_platform" / "dynamic" / "by_value.py").exists()
    assert not (site / "components").exists()
    return site
