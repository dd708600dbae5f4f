"""The providers' AWS session is the stack's: ``aws:region``, ``aws:profile`` and its shared
files, static keys, ``aws:assumeRoles`` (and the older ``aws:assumeRole``), against moto."""

from __future__ import annotations

import datetime
import json
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest

from components.dynamic import aws
from components.dynamic.kube import eks_token
from tests.dynamic.conftest import ACCOUNT, ASSUMED, DEPLOY_ROLE, SESSION, Stack, client
from tests.dynamic.fakes import caller_of_token


def settings(stack: Stack, **changes: Any) -> dict[str, Any]:
    config = {**stack.config, **changes}
    return aws.settings_from_config(config.get)


@pytest.fixture
def env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """This process's environment as the provider host's: moto, and no credentials."""
    for key in [k for k in __import__("os").environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in stack.env.items():
        if key.startswith("AWS_") or key == "HOME":
            monkeypatch.setenv(key, value)
    return stack


def caller(session: Any) -> str:
    return str(session.client("sts").get_caller_identity()["Arn"])


def test_the_configuration_is_read_as_the_engine_sends_it(stack: Stack) -> None:
    found = settings(stack, **{"aws:token": "", "aws:skipMetadataApiCheck": "true"})
    assert found["region"] == "us-west-2" and found["profile"] == "deploy"
    # Lists and objects arrive as JSON text, or already decoded: the same settings.
    assert found["assumeRoles"] == [
        {"roleArn": DEPLOY_ROLE, "sessionName": SESSION, "duration": "1h"}
    ]
    decoded = {k: json.loads(v) if v[:1] in "[{" else v for k, v in stack.config.items()}
    assert aws.settings_from_config(decoded.get) == found
    assert "token" not in found and "skipMetadataApiCheck" not in found


@pytest.mark.parametrize(
    ("role", "seconds"),
    [
        ({"duration": "1h"}, 3600),
        ({"duration": "1h30m"}, 5400),
        ({"duration": "900s"}, 900),
        ({"durationSeconds": 1200}, 1200),  # pulumi-aws v6's assumeRole
        ({}, None),
    ],
)
def test_session_lengths_as_pulumi_aws_writes_them(
    role: dict[str, Any], seconds: int | None
) -> None:
    assert aws.duration_seconds(role) == seconds


def test_a_bad_session_length_is_refused() -> None:
    with pytest.raises(ValueError, match="'an hour' is not a duration"):
        aws.duration_seconds({"duration": "an hour"})


def test_the_roles_to_assume() -> None:
    role = {"roleArn": DEPLOY_ROLE}
    assert aws.assume_roles({"assumeRoles": [role, {"sessionName": "x"}]}) == [role]
    assert aws.assume_roles({"assumeRoles": role}) == [role]
    assert aws.assume_roles({"assumeRole": role}) == [role]  # v6 and older
    assert aws.assume_roles({}) == []


def test_the_profile_of_the_stacks_shared_files_then_its_role(env: Stack) -> None:
    assert caller(aws.session(settings(env, **{"aws:assumeRoles": "[]"}))) == env.deployer_user
    session = aws.session(settings(env))
    assert caller(session) == ASSUMED
    assert session.region_name == "us-west-2"


def test_without_the_configuration_there_are_no_credentials(env: Stack) -> None:
    from botocore.exceptions import NoCredentialsError

    with pytest.raises(NoCredentialsError):
        caller(aws.session({"region": "us-west-2"}))


def test_a_chain_of_roles_is_assumed_in_order(env: Stack) -> None:
    second = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
    roles = [
        {"roleArn": DEPLOY_ROLE},
        {"roleArn": second, "sessionName": "admin", "externalId": "platform"},
    ]
    session = aws.session(settings(env, **{"aws:assumeRoles": json.dumps(roles)}))
    assert caller(session) == f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-admin/admin"


def test_the_older_single_role_and_static_keys(env: Stack) -> None:
    iam = client(env.env["AWS_ENDPOINT_URL"], "iam")
    name = f"static-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    static = {
        "aws:profile": "",
        "aws:assumeRoles": "",
        "aws:accessKey": key["AccessKeyId"],
        "aws:secretKey": key["SecretAccessKey"],
    }
    assert caller(aws.session(settings(env, **static))) == f"arn:aws:iam::{ACCOUNT}:user/{name}"
    old = {**static, "aws:assumeRole": json.dumps({"roleArn": DEPLOY_ROLE, "sessionName": SESSION})}
    assert caller(aws.session(settings(env, **old))) == ASSUMED


def test_the_resources_region_wins_over_the_stacks(env: Stack) -> None:
    assert aws.session(settings(env), "eu-west-1").region_name == "eu-west-1"
    assert aws.session({"region": "us-east-2"}).region_name == "us-east-2"


def test_an_assumed_role_renews_itself(env: Stack) -> None:
    credentials = aws.session(settings(env)).get_credentials()
    first = credentials.get_frozen_credentials().access_key
    credentials._expiry_time = datetime.datetime.now(datetime.timezone.utc)  # expired now
    assert credentials.get_frozen_credentials().access_key != first


def test_the_eks_token_is_the_sessions_identity_for_the_cluster(env: Stack) -> None:
    token = eks_token(aws.session(settings(env)), "dev-eks", "us-west-2")
    assert token.startswith("k8s-aws-v1.")
    assert caller_of_token(token, env.env["AWS_ENDPOINT_URL"]) == ASSUMED
    url = urllib.parse.urlsplit(__import__("base64").urlsafe_b64decode(token[11:] + "==").decode())
    query = urllib.parse.parse_qs(url.query)
    assert query["Action"] == ["GetCallerIdentity"] and query["X-Amz-Expires"] == ["60"]


def test_a_profile_file_given_as_a_list_of_one(env: Stack, tmp_path: Path) -> None:
    found = settings(env)
    assert isinstance(found["sharedCredentialsFiles"], list)
    assert Path(found["sharedCredentialsFiles"][0]).exists()
