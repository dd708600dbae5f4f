"""Permission helpers: one call per common grant, least privilege, valid IAM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.identity import permissions as p
from components.identity.permissions import Grant
from tests.oracles.iam_validation import assert_valid_permission_policy
from tests.support import run

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# Every helper, with plain names and with ARNs from another resource (Outputs).
GRANTS: dict[str, Callable[[], Grant]] = {
    "s3_read": lambda: p.s3_read("reports"),
    "s3_read prefix": lambda: p.s3_read("reports", prefix="daily/"),
    "s3_read output": lambda: p.s3_read(pulumi.Output.from_input("arn:aws:s3:::from-output")),
    "s3_read_write": lambda: p.s3_read_write("uploads", prefix="incoming/"),
    "secrets_read": lambda: p.secrets_read("payments/", "shared/db"),
    "ssm_read": lambda: p.ssm_read("/payments/api"),
    "kms_decrypt": lambda: p.kms_decrypt(KEY, via_services=["secretsmanager", "ssm"]),
    "dynamodb_read_write": lambda: p.dynamodb_read_write("orders"),
    "dynamodb_read": lambda: p.dynamodb_read_write(
        pulumi.Output.from_input("arn:aws:dynamodb:us-west-2:123456789012:table/orders"),
        write=False,
    ),
    "sqs_consume": lambda: p.sqs_consume("jobs"),
    "sqs_send": lambda: p.sqs_send(pulumi.Output.from_input("jobs")),
    "sns_publish": lambda: p.sns_publish("events"),
    "ecr_pull": lambda: p.ecr_pull("team/api", "team/worker"),
}


def rendered(grants: list[Callable[[], Grant]], region: str = "us-west-2") -> dict[str, Any]:
    """The policy document the grants make, as a role would get it."""

    def program() -> None:
        pulumi.export("policy", p.policy_document([g() for g in grants]))

    return dict(run(program, region=region).outputs["policy"])


@pytest.mark.parametrize("name", list(GRANTS))
def test_every_helper_emits_known_actions_and_a_policy_iam_accepts(name: str) -> None:
    policy = rendered([GRANTS[name]])
    assert_valid_permission_policy(policy)  # policy_sentry knows each action; moto accepts it


def test_all_helpers_together_make_one_valid_policy() -> None:
    assert_valid_permission_policy(rendered(list(GRANTS.values())))


def test_no_star_resource_except_where_aws_allows_no_scope() -> None:
    policy = rendered(list(GRANTS.values()))
    for statement in policy["Statement"]:
        if "*" in statement["Resource"]:
            assert statement["Action"] == ["ecr:GetAuthorizationToken"], statement


def resources(policy: dict[str, Any], action: str) -> set[str]:
    return {
        r
        for s in policy["Statement"]
        if action in s["Action"]
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }


def test_arns_use_the_partition_region_and_account_deployed_to() -> None:
    policy = rendered([GRANTS["secrets_read"], GRANTS["ssm_read"], GRANTS["s3_read"]], "cn-north-1")
    assert resources(policy, "secretsmanager:GetSecretValue") == {
        "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:payments/*",
        "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:shared/db*",
    }
    assert resources(policy, "s3:GetObject") == {"arn:aws-cn:s3:::reports/*"}


def test_ssm_paths_admit_the_path_and_below_but_not_siblings() -> None:
    granted = resources(rendered([GRANTS["ssm_read"]]), "ssm:GetParameter")
    base = "arn:aws:ssm:us-west-2:123456789012:parameter"
    assert granted == {f"{base}/payments/api", f"{base}/payments/api/*"}
    # IAM matches ARNs like StringLike: the sibling /payments/api-old is not matched.
    import fnmatch

    assert not any(fnmatch.fnmatchcase(f"{base}/payments/api-old", g) for g in granted)
    assert any(fnmatch.fnmatchcase(f"{base}/payments/api/db/password", g) for g in granted)


def test_s3_prefix_limits_objects_and_listing() -> None:
    policy = rendered([GRANTS["s3_read prefix"]])
    (listing,) = [s for s in policy["Statement"] if s["Action"] == ["s3:ListBucket"]]
    assert listing["Resource"] == ["arn:aws:s3:::reports"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["daily/*"]}}
    assert resources(policy, "s3:GetObject") == {"arn:aws:s3:::reports/daily/*"}


def test_outputs_from_other_resources_are_used_as_given() -> None:
    policy = rendered([GRANTS["s3_read output"], GRANTS["sqs_send"]])
    assert resources(policy, "s3:GetObject") == {"arn:aws:s3:::from-output/*"}
    assert resources(policy, "sqs:SendMessage") == {"arn:aws:sqs:us-west-2:123456789012:jobs"}


def test_kms_decrypt_only_through_the_named_services() -> None:
    (statement,) = rendered([GRANTS["kms_decrypt"]])["Statement"]
    assert statement["Resource"] == [KEY]
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == [
        "secretsmanager.us-west-2.amazonaws.com",
        "ssm.us-west-2.amazonaws.com",
    ]


def test_plain_grants_make_a_plain_document() -> None:
    document = p.policy_document([p.s3_read("arn:aws:s3:::plain")])
    assert isinstance(document, dict)  # no lookup, no Output plumbing
    resources = {r for s in document["Statement"] for r in s["Resource"]}
    assert resources == {"arn:aws:s3:::plain", "arn:aws:s3:::plain/*"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: p.s3_read("Not_A_Bucket"),
            "^permissions.s3_read: bucket: 'Not_A_Bucket' is not an S3 bucket name",
        ),
        (lambda: p.s3_read("reports", prefix="/x"), "^permissions.s3_read: prefix: "),
        (lambda: p.s3_read("reports", prefix="logs/*"), "^permissions.s3_read: prefix: "),
        (lambda: p.secrets_read(), "^permissions.secrets_read: name_prefixes: give at least one"),
        (lambda: p.secrets_read("bad prefix"), r"^permissions.secrets_read: name_prefixes\[0\]: "),
        (
            lambda: p.ssm_read("payments"),
            r"^permissions.ssm_read: paths\[0\]: 'payments' is not an SSM parameter path",
        ),
        (lambda: p.ssm_read("/payments/"), r"^permissions.ssm_read: paths\[0\]: "),
        (lambda: p.kms_decrypt("alias/payments"), "^permissions.kms_decrypt: key_arn: "),
        (
            lambda: p.kms_decrypt(KEY, via_services=["Secrets Manager"]),
            r"^permissions.kms_decrypt: via_services\[0\]: ",
        ),
        (lambda: p.ecr_pull(), "^permissions.ecr_pull: repositories: "),
        (lambda: p.sqs_send("jobs queue"), "^permissions.sqs_send: queue: "),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(make: Callable[[], Grant], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()
