"""The permission helpers refuse what AWS would refuse, or accept and grant something else.

Each case is a mistake an app team makes in its own program: an object ARN or a path where a
bucket belongs, a wildcard, a URL, an ARN of the wrong service or resource type, an account id
that is not 12 digits. Each refusal is one line naming the helper and the argument; a value
given as an Output is checked once known, by the role that received the grant, which names
itself and the grant too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.identity import permissions as p
from components.identity.irsa import IrsaRole
from components.identity.workload_identity import WorkloadRoleArgs
from tests.support import doc, light_cluster, refused, run

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"

# A message is the line's start; with ``.*`` or a backslash, a regular expression for it.
MISUSES: list[tuple[Callable[[], Any], str]] = [
    (
        lambda: p.s3_read("arn:aws:s3:::example-reports/daily/*"),
        "permissions.s3_read: bucket: 'arn:aws:s3:::example-reports/daily/*' is an S3 object "
        "ARN, not a bucket; give the bucket and the key prefix: "
        "s3_read('example-reports', prefix='daily/')",
    ),
    (
        lambda: p.s3_read_write("example-reports/incoming/"),
        "permissions.s3_read_write: bucket: 'example-reports/incoming/' is a bucket and a path, "
        "not a bucket; give the bucket and the key prefix: "
        "s3_read_write('example-reports', prefix='incoming/')",
    ),
    (
        lambda: p.s3_read("s3://example-reports/daily/"),
        "permissions.s3_read: bucket: 's3://example-reports/daily/' is an S3 URL, not a bucket; "
        "give the bucket and the key prefix: s3_read('example-reports', prefix='daily/')",
    ),
    (lambda: p.s3_read("example-*"), r"permissions.s3_read: bucket: 'example-\*' has a wildcard"),
    (lambda: p.s3_read("*"), r"permissions.s3_read: bucket: '\*' has a wildcard"),
    (
        lambda: p.s3_read("arn:aws:s3:::example-*"),
        r"permissions.s3_read: bucket: 'arn:aws:s3:::example-\*' names 'example-\*', which has "
        "a wildcard",
    ),
    (
        lambda: p.s3_read("Example_Reports"),
        "permissions.s3_read: bucket: 'Example_Reports' is not an S3 bucket name",
    ),
    (
        lambda: p.s3_read("arn:aws:s3:us-west-2:123456789012:accesspoint/reports"),
        "permissions.s3_read: bucket: .* is not an S3 bucket ARN: it has a region or account",
    ),
    (
        lambda: p.s3_read("example-reports", prefix="daily/*"),
        "permissions.s3_read: prefix: 'daily/\\*' is not an S3 key prefix",
    ),
    (
        lambda: p.dynamodb_read_write("arn:aws:dynamodb:us-west-2:123:table/orders"),
        "permissions.dynamodb_read_write: table: 'arn:aws:dynamodb:us-west-2:123:table/orders': "
        "account '123' is not a 12-digit AWS account id",
    ),
    (
        lambda: p.dynamodb_read_write("arn:aws:dynamodb:uswest2:123456789012:table/orders"),
        "permissions.dynamodb_read_write: table: .*: region 'uswest2' is not an AWS region",
    ),
    (
        lambda: p.dynamodb_read_write(
            "arn:aws:dynamodb:us-west-2:123456789012:table/orders/index/by-date"
        ),
        "permissions.dynamodb_read_write: table: .* is a DynamoDB index ARN, not a table; give "
        "the table \\('orders'\\): its indexes are included",
    ),
    (
        lambda: p.dynamodb_read_write("arn:aws:sqs:us-west-2:123456789012:orders"),
        "permissions.dynamodb_read_write: table: .* is an ARN of service 'sqs', not a DynamoDB "
        "table ARN",
    ),
    (
        lambda: p.sns_publish("arn:aws:sqs:us-west-2:123456789012:jobs"),
        "permissions.sns_publish: topic: 'arn:aws:sqs:us-west-2:123456789012:jobs' is an ARN of "
        "service 'sqs', not an SNS topic ARN \\(arn:<partition>:sns:<region>:<account>:<topic>\\)",
    ),
    (
        lambda: p.sns_publish("arn:aws:sns:us-west-2:123456789012:events:0f1e2d3c"),
        "permissions.sns_publish: topic: .* is an SNS subscription ARN, not a topic",
    ),
    (
        lambda: p.sqs_send("https://sqs.us-west-2.amazonaws.com/123456789012/jobs"),
        "permissions.sqs_send: queue: .* is a URL, not an SQS queue; give its name or ARN",
    ),
    (
        lambda: p.sqs_consume("jobs queue"),
        "permissions.sqs_consume: queue: 'jobs queue' is not an SQS queue name",
    ),
    (
        lambda: p.ecr_pull("team/api", "123456789012.dkr.ecr.us-west-2.amazonaws.com/team/api:1"),
        r"permissions.ecr_pull: repositories\[1\]: .* is an image URI, not a repository",
    ),
    (
        lambda: p.ecr_pull("arn:aws:ecr:us-west-2:123456789012:team/api"),
        r"permissions.ecr_pull: repositories\[0\]: .* is not an ECR repository ARN",
    ),
    (
        lambda: p.kms_decrypt("arn:aws:kms:us-west-2:123456789012:alias/payments"),
        "permissions.kms_decrypt: key_arn: .* names 'alias/payments', which is an alias: an "
        "alias cannot scope kms:Decrypt; give the key's ARN \\(key.arn\\)",
    ),
    (
        lambda: p.kms_decrypt(KEY_ID),
        f"permissions.kms_decrypt: key_arn: '{KEY_ID}' is not a KMS key ARN",
    ),
    (
        lambda: p.kms_decrypt(f"arn:aws:kms:us-west-2:12345678901:key/{KEY_ID}"),
        "permissions.kms_decrypt: key_arn: .*: account '12345678901' is not a 12-digit",
    ),
    (
        lambda: p.secrets_read(
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:payments/db-AbCdEf"
        ),
        r"permissions.secrets_read: name_prefixes\[0\]: .* is an ARN; give the secret's name "
        "prefix",
    ),
    (
        lambda: p.secrets_read("payments/", "shared/*"),
        r"permissions.secrets_read: name_prefixes\[1\]: 'shared/\*' has a wildcard",
    ),
    (
        lambda: p.ssm_read("arn:aws:ssm:us-west-2:123456789012:parameter/payments"),
        r"permissions.ssm_read: paths\[0\]: .* is an ARN; give the parameter path",
    ),
    (
        lambda: p.ssm_read("/payments/*"),
        r"permissions.ssm_read: paths\[0\]: '/payments/\*' is not an SSM parameter path",
    ),
    (
        lambda: p.s3_read(42),  # type: ignore[arg-type]
        "permissions.s3_read: bucket: expected the S3 bucket's name or ARN, got int 42",
    ),
    (
        lambda: p.dynamodb_read_write("orders", write="yes"),  # type: ignore[arg-type]
        "permissions.dynamodb_read_write: write: expected true or false, got 'yes'",
    ),
]


@pytest.mark.parametrize(("make", "message"), MISUSES, ids=[m[:70] for _, m in MISUSES])
def test_a_misuse_is_one_line_naming_the_helper_and_the_argument(
    make: Callable[[], Any], message: str
) -> None:
    with pytest.raises(ValueError) as error:
        make()
    text = str(error.value)
    assert "\n" not in text
    if ".*" in message or "\\" in message:
        assert re.match(message, text), text
    else:
        assert text.startswith(message), text


def test_a_misuse_in_a_program_registers_nothing_of_the_role() -> None:
    def program() -> None:
        cluster = light_cluster()
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=cluster,
                namespace="reports",
                service_account="reader",
                permissions=[p.s3_read("arn:aws:s3:::example-reports/daily/*")],
            ),
        )

    message = refused(program, "reports-reader")
    assert message.startswith("permissions.s3_read: bucket: ")


def test_the_prefix_argument_says_what_the_object_arn_meant() -> None:
    def program() -> None:
        pulumi.export("policy", p.policy_document([p.s3_read("example-reports", prefix="daily/")]))

    policy = run(program).outputs["policy"]
    (listing, objects) = policy["Statement"]
    assert listing["Action"] == ["s3:ListBucket"]
    assert listing["Resource"] == ["arn:aws:s3:::example-reports"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["daily/*"]}}
    assert objects["Resource"] == ["arn:aws:s3:::example-reports/daily/*"]


@pytest.mark.parametrize(
    ("grant", "index", "message"),
    [
        (
            lambda: p.s3_read(pulumi.Output.from_input("arn:aws:s3:::example-reports/daily/*")),
            1,
            "IrsaRole 'reports-reader': permissions[1]: permissions.s3_read: bucket: "
            "'arn:aws:s3:::example-reports/daily/*' is an S3 object ARN, not a bucket; give the "
            "bucket and the key prefix: s3_read('example-reports', prefix='daily/')",
        ),
        (
            lambda: p.sns_publish(pulumi.Output.from_input("arn:aws:sqs:us-west-2:123456789012:q")),
            1,
            "IrsaRole 'reports-reader': permissions[1]: permissions.sns_publish: topic: "
            "'arn:aws:sqs:us-west-2:123456789012:q' is an ARN of service 'sqs', not an SNS topic "
            "ARN (arn:<partition>:sns:<region>:<account>:<topic>)",
        ),
    ],
)
def test_an_output_is_checked_once_known_by_the_role_naming_it_and_the_grant(
    grant: Callable[[], p.Grant], index: int, message: str
) -> None:
    def program() -> None:
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=light_cluster(),
                namespace="reports",
                service_account="reader",
                permissions=[p.secrets_read("reports/"), grant()],
            ),
        )

    with pytest.raises(ValueError) as error:
        run(program)
    # The SDK wraps an error raised while Outputs resolve; the synth prints the library's line.
    assert message in str(error.value).splitlines()[-1]


def test_outputs_that_are_right_are_used_as_given() -> None:
    def program() -> None:
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=light_cluster(),
                namespace="reports",
                service_account="reader",
                permissions=[
                    p.s3_read(pulumi.Output.from_input("example-reports"), prefix="daily/"),
                    p.dynamodb_read_write(pulumi.Output.from_input("orders"), write=False),
                ],
            ),
        )

    policy = doc(run(program).one("aws:iam/rolePolicy:RolePolicy"), "policy")
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {
        "arn:aws:s3:::example-reports",
        "arn:aws:s3:::example-reports/daily/*",
        "arn:aws:dynamodb:us-west-2:123456789012:table/orders",
        "arn:aws:dynamodb:us-west-2:123456789012:table/orders/index/*",
    }


def test_a_resource_instead_of_its_name_says_which_attribute_to_give() -> None:
    import pulumi_aws as aws

    def program() -> None:
        bucket = aws.s3.BucketV2("reports-bucket", bucket="example-reports")
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=light_cluster(),
                namespace="reports",
                service_account="reader",
                permissions=[p.s3_read(bucket)],
            ),
        )

    assert refused(program, "reports-reader") == (
        "permissions.s3_read: bucket: got the resource BucketV2 'reports-bucket'; give its name "
        "or ARN (e.g. bucket.bucket, table.name, queue.arn)"
    )


def test_secret_prefixes_and_parameter_paths_may_be_outputs() -> None:
    def program() -> None:
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=light_cluster(),
                namespace="reports",
                service_account="reader",
                permissions=[
                    p.secrets_read(pulumi.Output.from_input("reports/db")),
                    p.ssm_read("/reports/api", pulumi.Output.from_input("/reports/feature")),
                ],
            ),
        )

    policy = doc(run(program).one("aws:iam/rolePolicy:RolePolicy"), "policy")
    base = "arn:aws:ssm:us-west-2:123456789012:parameter"
    assert policy["Statement"][0]["Resource"] == [
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:reports/db*"
    ]
    assert policy["Statement"][1]["Resource"] == [
        f"{base}/reports/api",
        f"{base}/reports/api/*",
        f"{base}/reports/feature",
        f"{base}/reports/feature/*",
    ]


def test_a_wrong_parameter_path_output_names_the_role_and_the_grant() -> None:
    def program() -> None:
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(
                cluster=light_cluster(),
                namespace="reports",
                service_account="reader",
                permissions=[p.ssm_read(pulumi.Output.from_input("reports/api"))],
            ),
        )

    with pytest.raises(ValueError) as error:
        run(program)
    assert (
        str(error.value)
        .splitlines()[-1]
        .endswith(
            "IrsaRole 'reports-reader': permissions[0]: permissions.ssm_read: paths[0]: 'reports/api' "
            "is not an SSM parameter path (/segment[/segment...], letters, digits, '_', '.', '-'; no "
            "trailing '/', no wildcard: a path covers what is under it)"
        )
    )
