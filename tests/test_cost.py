"""scripts/cost.py: each priced line comes from the synth, and docs/cost.md shows what it prints.

The stacks are read from their committed snapshots (tests/snapshots/*.json), so these tests run in
well under a second; a changed input moves the total by the literal amount its price says.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scripts import cost

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cost.md"
STACKS = ("dev", "staging", "prod")
TARGET = Decimal(135)
"""dev's fixed cost may be at most this (issue 20: 0.50x the eksctl default)."""


def snapshot(stack: str) -> list[dict[str, Any]]:
    return cost.load(ROOT / "tests" / "snapshots" / f"{stack}.json")


def one(resources: list[dict[str, Any]], type_: str, name: str | None = None) -> dict[str, Any]:
    (found,) = [r for r in resources if r["type"] == type_ and name in (None, r["name"])]
    return found


def total(resources: list[dict[str, Any]]) -> Decimal:
    return cost.estimate(resources).total


def delta(stack: str, change: Any) -> Decimal:
    """How much the total moves when ``change`` edits a copy of the stack's snapshot."""
    resources = snapshot(stack)
    changed = copy.deepcopy(resources)
    change(changed)
    return total(changed) - total(resources)


def monthly(stack: str, item: str) -> Decimal:
    (line,) = [li for li in cost.estimate(snapshot(stack)).lines if li.item.startswith(item)]
    return line.monthly


def test_dev_fixed_cost_is_at_most_the_target() -> None:
    assert total(snapshot("dev")) <= TARGET


def test_the_nat_instance_is_what_brought_dev_under_the_target() -> None:
    # Back to the NAT gateway: awsx's strategy Single, no instance and no Elastic IP.
    def gateway(rs: list[dict[str, Any]]) -> None:
        rs[:] = [r for r in rs if r["type"] not in (INSTANCE, EIP)]
        _vpc(rs)["natGateways"].update(strategy="Single")

    # $36.50 (gateway and address) instead of $7.36 (instance, volume and address).
    assert delta("dev", gateway) == Decimal("29.14")
    assert total(snapshot("dev")) + delta("dev", gateway) > TARGET


@pytest.mark.parametrize(
    "item, amount",
    [
        ("EKS control plane `dev-eks`", "73.00"),
        # The NAT instance: t4g.nano on demand, its 8 GiB gp3 root volume, its Elastic IP.
        ("EC2 instance `dev-eks-nat-instance`: t4g.nano ON_DEMAND", "3.07"),
        ("EBS gp3 root volume of `dev-eks-nat-instance`", "0.64"),
        ("Public IPv4 address: Elastic IP `dev-eks-nat`", "3.65"),
        ("Node group `dev-eks-system`: t3.medium SPOT (of t3.medium, t3a.medium)", "12.48"),
        ("EBS gp3 volumes of `dev-eks-system`", "1.60"),
        ("ALB (internal) for Ingress game-2048/ingress-2048 (class alb", "16.43"),
        ("Secrets Manager secret `dev-eks/demo/db`", "0.40"),
        ("CloudWatch log group `/aws/eks/dev-eks/cluster`", "0.00"),
        ("Karpenter NodePool `spot`: scales from zero, not fixed", "0.00"),
    ],
)
def test_each_line_of_dev_comes_from_its_synth(item: str, amount: str) -> None:
    assert monthly("dev", item) == Decimal(amount)


def test_dev_has_no_public_load_balancer_address() -> None:
    assert not [li for li in cost.estimate(snapshot("dev")).lines if "of that ALB" in li.item]


def test_dev_has_no_nat_gateway() -> None:
    lines = cost.estimate(snapshot("dev")).lines
    assert _vpc(snapshot("dev"))["natGateways"] == {"strategy": "None"}
    assert not [li for li in lines if "NAT gateway" in li.item]


def _node_group(resources: list[dict[str, Any]], stack: str = "dev") -> dict[str, Any]:
    group = "system" if stack == "dev" else "general"
    return one(resources, "aws:eks/nodeGroup:NodeGroup", f"{stack}-eks-{group}")["inputs"]


def _vpc(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return one(resources, "awsx:ec2:Vpc")["inputs"]


INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"


def _nat_instance(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return one(resources, INSTANCE, "dev-eks-nat-instance")["inputs"]


def _no_nat_instance(resources: list[dict[str, Any]]) -> None:
    resources[:] = [r for r in resources if r["type"] not in (INSTANCE, EIP)]


def _ingress(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return one(resources, cost.INGRESS)["inputs"]


def _second_ingress(resources: list[dict[str, Any]], group: str | None) -> None:
    twin = copy.deepcopy(one(resources, cost.INGRESS))
    twin["name"] += "-twin"
    twin["inputs"]["metadata"]["name"] += "-twin"
    for ingress in (one(resources, cost.INGRESS, "dev-eks-game-2048-ingress"), twin):
        if group:
            ingress["inputs"]["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.name"] = (
                group
            )
    resources.append(twin)


def _endpoint(resources: list[dict[str, Any]]) -> None:
    resources.append(
        {
            "type": "aws:ec2/vpcEndpoint:VpcEndpoint",
            "name": "dev-eks-sts",
            "inputs": {
                "vpcEndpointType": "Interface",
                "serviceName": "com.amazonaws.us-west-2.sts",
                "subnetIds": ["subnet-a", "subnet-b"],
            },
        }
    )


def _claim(resources: list[dict[str, Any]]) -> None:
    resources.append(
        {
            "type": "kubernetes:core/v1:PersistentVolumeClaim",
            "name": "dev-eks-demo-data",
            "inputs": {
                "metadata": {"name": "data"},
                "spec": {"resources": {"requests": {"storage": "10Gi"}}},
            },
        }
    )


@pytest.mark.parametrize(
    "change, amount",
    [
        # A NAT gateway and its address: 730 h x ($0.045 + $0.005), one per AZ with OnePerAz.
        (lambda rs: _vpc(rs)["natGateways"].update(strategy="Single"), "36.50"),
        (lambda rs: _vpc(rs)["natGateways"].update(strategy="OnePerAz"), "73.00"),
        # The NAT instance: $0.0042/h, 8 GiB of gp3 and its address; a t4g.small is $0.0168/h.
        (_no_nat_instance, "-7.36"),
        (lambda rs: _nat_instance(rs).update(instanceType="t4g.small"), "9.19"),
        (lambda rs: _nat_instance(rs)["rootBlockDevice"].update(volumeSize=20), "0.96"),
        # On-Demand takes the first type: t3.medium at $0.0416/h instead of Spot's $0.0171/h.
        (lambda rs: _node_group(rs).update(capacityType="ON_DEMAND"), "17.89"),
        # Spot takes the dearest listed type's price: t3a.medium alone is $0.0167/h.
        (lambda rs: _node_group(rs).update(instanceTypes=["t3a.medium"]), "-0.29"),
        # Two more Spot nodes and their 20 GiB volumes.
        (lambda rs: _node_group(rs)["scalingConfig"].update(desiredSize=3), "28.17"),
        (lambda rs: _node_group(rs)["scalingConfig"].update(desiredSize=0), "-14.08"),
        # The internet-facing class: two public IPv4 addresses, one per public subnet.
        (lambda rs: _ingress(rs)["spec"].update(ingressClassName="alb-public"), "7.30"),
        (lambda rs: _second_ingress(rs, group=None), "16.43"),
        (lambda rs: _second_ingress(rs, group="dev-shared"), "0.00"),
        (_endpoint, "14.60"),
        (_claim, "0.80"),
        (
            lambda rs: rs.append({"type": "aws:kms/key:Key", "name": "k", "inputs": {}}),
            "1.00",
        ),
    ],
    ids=[
        "nat-gateway",
        "nat-gateway-per-az",
        "no-nat-instance",
        "nat-instance-type",
        "nat-instance-volume",
        "on-demand",
        "one-spot-type",
        "three-nodes",
        "no-node",
        "public-alb",
        "second-alb",
        "shared-alb",
        "interface-endpoint",
        "volume-claim",
        "kms-key",
    ],
)
def test_a_changed_input_moves_the_total_by_its_price(change: Any, amount: str) -> None:
    assert delta("dev", change) == Decimal(amount)


def test_an_instance_type_change_moves_staging_by_its_price() -> None:
    # Three m6i.xlarge ($0.192/h) instead of three m6i.large ($0.096/h).
    def change(rs: list[dict[str, Any]]) -> None:
        _node_group(rs, "staging").update(instanceTypes=["m6i.xlarge"])

    assert delta("staging", change) == Decimal("210.24")


def test_a_larger_volume_moves_the_total_by_its_price() -> None:
    def change(rs: list[dict[str, Any]]) -> None:
        template = one(rs, "aws:ec2/launchTemplate:LaunchTemplate", "dev-eks-system-lt")
        template["inputs"]["blockDeviceMappings"][0]["ebs"]["volumeSize"] = 50

    assert delta("dev", change) == Decimal("2.40")


def test_graviton_needs_an_arm_ami_type() -> None:
    resources = snapshot("dev")
    _node_group(resources).update(instanceTypes=["t4g.medium"])
    with pytest.raises(cost.CostError, match="t4g.medium is arm64, AMI type AL2023_x86_64"):
        cost.estimate(resources)
    _node_group(resources).update(amiType="AL2023_ARM_64_STANDARD")
    assert monthly_of(resources, "Node group") == Decimal("12.12")  # $0.0166/h on Spot


def monthly_of(resources: list[dict[str, Any]], item: str) -> Decimal:
    (line,) = [li for li in cost.estimate(resources).lines if li.item.startswith(item)]
    return line.monthly


@pytest.mark.parametrize(
    "instance_type, graviton",
    [
        ("t4g.medium", True),
        ("m7gd.large", True),
        ("a1.large", True),
        ("c7gn.xlarge", True),
        ("t3.medium", False),
        ("m6i.large", False),
        ("g5.xlarge", False),
        ("m6a.large", False),
    ],
)
def test_graviton_types_are_told_apart(instance_type: str, graviton: bool) -> None:
    assert cost.is_graviton(instance_type) is graviton


def test_an_unpriced_type_is_named() -> None:
    resources = snapshot("dev")
    _node_group(resources).update(instanceTypes=["x2iedn.metal"])
    with pytest.raises(cost.CostError, match="no Spot price for x2iedn.metal"):
        cost.estimate(resources)
    resources = snapshot("dev")
    _nat_instance(resources).update(instanceType="x2iedn.metal")
    with pytest.raises(cost.CostError, match="no On-Demand price for x2iedn.metal"):
        cost.estimate(resources)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda vm: vm["rootBlockDevice"].pop("volumeSize"), "AMI-sized root"),
        (lambda vm: vm.update(instanceMarketOptions={"marketType": "spot"}), "Spot market"),
        (lambda vm: vm["rootBlockDevice"].update(volumeType="io2"), "no price for io2 volumes"),
    ],
)
def test_an_instance_it_cannot_price_is_refused(change: Any, message: str) -> None:
    resources = snapshot("dev")
    change(_nat_instance(resources))
    with pytest.raises(cost.CostError, match=f"dev-eks-nat-instance: .*{message}"):
        cost.estimate(resources)


def _doc_block(stack: str) -> str:
    found = re.search(
        rf"<!-- cost:{stack}:start -->\n(.*?)\n<!-- cost:{stack}:end -->", DOC.read_text(), re.S
    )
    assert found, f"docs/cost.md has no block for {stack}"
    return found[1]


@pytest.mark.parametrize("stack", STACKS)
def test_the_doc_states_what_the_script_prints(stack: str) -> None:
    est = cost.estimate(snapshot(stack))
    block = _doc_block(stack)
    (stated,) = re.findall(r"Total fixed: \$([\d,]+\.\d\d)/month", block)
    assert Decimal(stated.replace(",", "")) == est.total, f"docs/cost.md: {stack} total"
    assert block == cost.render(est, markdown=True), (
        f"docs/cost.md's {stack} table is stale: paste "
        f"`python -m scripts.cost --stack {stack} --snapshot --markdown`"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_the_summary_table_states_each_total(stack: str) -> None:
    row = re.search(rf"^\| {stack} \| \$([\d,.]+) \|", DOC.read_text(), re.M)
    assert row and Decimal(row[1].replace(",", "")) == cost.estimate(snapshot(stack)).total


def test_the_cli_reads_a_synth_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main(["--json", str(ROOT / "tests" / "snapshots" / "dev.json")]) == 0
    assert f"Total fixed: {cost.money(total(snapshot('dev')))}/month" in capsys.readouterr().out


def test_the_cli_refuses_another_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.eu.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    monkeypatch.setattr(cost, "ROOT", tmp_path)
    assert cost.main(["--stack", "eu", "--snapshot"]) == 1
