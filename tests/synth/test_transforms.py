"""Transforms run offline as the engine runs them (issue 19, point 1).

``ResourceOptions(transforms=[...])``, a parent's transforms and the stack's
(``pulumi.runtime.register_resource_transform``) change a resource's inputs and options
before it is registered: the resource's own first, then its parents', then the stack's. The
old ``transformations=`` keep working; invoke transforms change an invoke's arguments.
"""

from __future__ import annotations

from typing import Any, cast

import pulumi
import pulumi_aws as aws

from components.synth import run_program

QUEUE = "aws:sqs/queue:Queue"


def tagging(key: str, value: str) -> Any:
    """A transform that adds a tag to every SQS queue (and records its turn in ``order``)."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != QUEUE:
            return None
        tags: dict[str, str] = dict(cast(dict[str, str], args.props.get("tags") or {}))
        tags[key] = value
        tags["order"] = ",".join(filter(None, [tags.get("order"), key]))
        return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)

    return transform


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Team", name, None, opts)
        aws.sqs.Queue(f"{name}-jobs", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def test_a_resources_own_transform_is_applied() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(transforms=[tagging("own", "1")]))
        aws.sqs.Queue("other")

    result = run_program(program, "strict", "dev")
    assert result.one(QUEUE, "jobs").inputs["tags"] == {"own": "1", "order": "own"}
    assert "tags" not in result.one(QUEUE, "other").inputs


def test_a_parents_transform_is_applied_to_its_children() -> None:
    def program() -> None:
        Team("payments", opts=pulumi.ResourceOptions(transforms=[tagging("team", "payments")]))
        Team("orders")

    result = run_program(program, "strict", "dev")
    assert result.one(QUEUE, "payments-jobs").inputs["tags"] == {
        "team": "payments",
        "order": "team",
    }
    assert "tags" not in result.one(QUEUE, "orders-jobs").inputs


def test_a_stack_transform_is_applied_to_what_is_registered_after_it() -> None:
    def program() -> None:
        aws.sqs.Queue("before")
        pulumi.runtime.register_resource_transform(tagging("stack", "dev"))
        aws.sqs.Queue("after")

    result = run_program(program, "strict", "dev")
    assert result.one(QUEUE, "after").inputs["tags"] == {"stack": "dev", "order": "stack"}
    assert "tags" not in result.one(QUEUE, "before").inputs


def test_transforms_run_own_then_parents_then_the_stacks() -> None:
    def program() -> None:
        pulumi.runtime.register_resource_transform(tagging("stack", "s"))
        outer = pulumi.ComponentResource(
            "test:index:Outer",
            "outer",
            opts=pulumi.ResourceOptions(transforms=[tagging("outer", "o")]),
        )
        inner = pulumi.ComponentResource(
            "test:index:Inner",
            "inner",
            opts=pulumi.ResourceOptions(parent=outer, transforms=[tagging("inner", "i")]),
        )
        aws.sqs.Queue(
            "jobs", opts=pulumi.ResourceOptions(parent=inner, transforms=[tagging("own", "q")])
        )

    tags = run_program(program, "strict", "dev").one(QUEUE, "jobs").inputs["tags"]
    assert tags["order"] == "own,inner,outer,stack"


def test_a_transform_changes_options_too() -> None:
    def protect(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True))
        return pulumi.ResourceTransformResult(args.props, opts)

    def program() -> None:
        first = aws.sqs.Queue("first")

        def depend(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
            opts = pulumi.ResourceOptions.merge(
                args.opts, pulumi.ResourceOptions(depends_on=[first])
            )
            return pulumi.ResourceTransformResult(args.props, opts)

        aws.sqs.Queue("second", opts=pulumi.ResourceOptions(transforms=[protect, depend]))

    result = run_program(program, "strict", "dev")
    second = result.one(QUEUE, "second")
    assert second.protect is True
    assert second.dependencies == [result.one(QUEUE, "first").urn]


def test_the_old_transformations_still_work() -> None:
    def old(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        props = {**args.props, "tags": {"old": "yes"}}
        return pulumi.ResourceTransformationResult(props, args.opts)

    def program() -> None:
        aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(transformations=[old]))

    assert run_program(program, "strict", "dev").one(QUEUE, "jobs").inputs["tags"] == {"old": "yes"}


def test_an_invoke_transform_changes_the_arguments() -> None:
    def rename(args: pulumi.InvokeTransformArgs) -> pulumi.InvokeTransformResult:
        return pulumi.InvokeTransformResult({**args.args, "name": "/platform/renamed"}, args.opts)

    def program() -> None:
        pulumi.runtime.register_invoke_transform(rename)
        pulumi.export("parameter", aws.ssm.get_parameter_output(name="/platform/original").name)

    assert run_program(program, "strict", "dev").outputs["parameter"] == "/platform/renamed"
