"""A stack's fixed monthly cost, line by line, from its offline synth, at us-west-2 list prices.

Usage::

    .venv/bin/python -m scripts.cost --stack dev              # runs the offline synth first
    .venv/bin/python -m scripts.cost --stack dev --snapshot   # reads tests/snapshots/dev.json
    .venv/bin/python -m scripts.cost --json /tmp/dev.json     # reads a synth's JSON
    ... --markdown                                             # the table docs/cost.md holds

Fixed cost is what the stack costs with no traffic: every hour-priced thing that is always on
(the control plane, NAT gateways or a NAT instance and their public IPv4 addresses, EC2
instances and the node groups' desired instances with their volumes, load balancers, interface
VPC endpoints) and every month-priced thing (KMS keys, Secrets Manager secrets, hosted zones).
What usage decides is counted at zero and named with its price: NAT and endpoint bytes,
load-balancer capacity units, data transfer, log ingestion and storage, requests, and the nodes
Karpenter launches (its NodePools scale from zero).
A month is 730 hours. The prices are :data:`PRICES`, :data:`ON_DEMAND` and :data:`SPOT`
(:mod:`scripts.cost_prices`); their sources and dates are in docs/cost.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .cost_prices import ON_DEMAND, PRICES, READ_ON, SPOT

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-west-2"
HOURS = Decimal(730)
CENT = Decimal("0.01")
Resources = Sequence[Mapping[str, Any]]
ALB_CONTROLLERS = ("ingress.k8s.aws/alb", "eks.amazonaws.com/alb")
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
_ALB = "alb.ingress.kubernetes.io"


class CostError(Exception):
    """The synth holds something this script cannot price (say which, and how to fix it)."""


@dataclass(frozen=True)
class Line:
    """One priced thing: what, how much, at which price, per month."""

    item: str
    quantity: str
    price: str
    monthly: Decimal


@dataclass
class Estimate:
    """A stack's fixed cost: the lines and, for the same always-on instances, Auto Mode's fee."""

    lines: list[Line] = field(default_factory=list)
    auto_mode_fee: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """The sum of the lines, each rounded to the cent as printed."""
        return sum((line.monthly for line in self.lines), Decimal(0))

    def add(self, item: str, quantity: str, price: str, monthly: Decimal) -> None:
        self.lines.append(Line(item, quantity, price, monthly.quantize(CENT, ROUND_HALF_UP)))

    def hours(self, item: str, count: int, hourly: Decimal, unit: str = "") -> None:
        """``count`` things (``unit``: what one is, e.g. ``AZ``) at ``hourly`` for a month."""
        quantity = f"{count}{' ' + unit if unit else ''} x 730 h"
        self.add(item, quantity, f"${hourly}/h", count * hourly * HOURS)

    def gib_months(self, item: str, quantity: str, gib: Decimal, price: Decimal) -> None:
        self.add(item, quantity, f"${price}/GiB-month", gib * price)

    def month(self, item: str, monthly: Decimal) -> None:
        self.add(item, "1", f"${monthly}/month", monthly)

    def usage(self, item: str, quantity: str, price: str) -> None:
        """Something only usage pays for: listed at 0 with its price."""
        self.add(item, quantity, price, Decimal(0))


def money(value: Decimal) -> str:
    return f"${value.quantize(CENT, ROUND_HALF_UP):,.2f}"


def is_graviton(instance_type: str) -> bool:
    """An AWS Graviton (arm64) type: ``a1`` or a family whose suffix has a ``g`` (t4g, m6gd)."""
    found = re.match(r"^([a-z]+)(\d+)([a-z-]*)\.", instance_type)
    if found is None:
        raise CostError(f"{instance_type!r} is not an EC2 instance type")
    return f"{found[1]}{found[2]}" == "a1" or "g" in found[3]


def ami_architecture(ami_type: str) -> str | None:
    """``arm64``, ``amd64`` or None (a custom or unknown AMI type)."""
    return "arm64" if "ARM_64" in ami_type else "amd64" if "x86_64" in ami_type else None


def _hourly(table: Mapping[str, Decimal], instance_type: str, kind: str) -> Decimal:
    if instance_type not in table:
        raise CostError(f"no {kind} price for {instance_type} in scripts/cost_prices.py: add one")
    return table[instance_type]


def _by_type(resources: Resources, *types: str) -> list[Mapping[str, Any]]:
    return [r for r in resources if r["type"] in types]


def _gib(quantity: object) -> Decimal:
    """A Kubernetes storage quantity (``10Gi``, ``1Ti``, ``500Mi``, ``20G``) in GiB."""
    found = re.fullmatch(r"([\d.]+)([KMGT]i?)?", str(quantity))
    if found is None:
        raise CostError(f"{quantity!r} is not a storage quantity")
    power = {"K": 1, "M": 2, "G": 3, "T": 4}.get((found[2] or " ")[0], 0)
    base = Decimal(1024 if found[2] and found[2].endswith("i") else 1000)
    return Decimal(found[1]) * base**power / Decimal(2**30)


def _control_planes(resources: Resources, est: Estimate) -> None:
    for r in _by_type(resources, "eks:index:Cluster", "aws:eks/cluster:Cluster"):
        name = r["inputs"].get("name", r["name"])
        support = (r["inputs"].get("upgradePolicy") or {}).get("supportType", "EXTENDED")
        version = r["inputs"].get("version", "?")
        item = f"EKS control plane `{name}` (Kubernetes {version}, standard support; "
        est.hours(f"{item}upgrade policy {support})", 1, PRICES["eks_standard_hour"])


def _nat_gateways(resources: Resources, est: Estimate) -> None:
    for vpc in _by_type(resources, "awsx:ec2:Vpc"):
        inputs = vpc["inputs"]
        names = inputs.get("availabilityZoneNames") or []
        azs = len(names) or int(inputs.get("numberOfAvailabilityZones", 3))
        strategy = (inputs.get("natGateways") or {}).get("strategy", "OnePerAz")
        count = {"None": 0, "Single": 1, "OnePerAz": azs}.get(strategy)
        if count is None:
            raise CostError(f"{vpc['name']}: unknown NAT gateway strategy {strategy!r}")
        where = f"awsx Vpc `{vpc['name']}`, strategy {strategy}, {azs} AZs"
        if count:
            est.hours(f"NAT gateways ({where}; 0 GB processed)", count, PRICES["nat_hour"])
            est.hours("Public IPv4 addresses of the NAT gateways", count, PRICES["ipv4_hour"])
    for gateway in _by_type(resources, "aws:ec2/natGateway:NatGateway"):
        est.hours(f"NAT gateway `{gateway['name']}` (0 GB processed)", 1, PRICES["nat_hour"])


def _instances(resources: Resources, est: Estimate) -> None:
    """EC2 instances (on-demand; a NAT instance), their root volumes, Elastic IPs."""
    for vm in _by_type(resources, "aws:ec2/instance:Instance"):
        inputs = vm["inputs"]
        kind, root = inputs.get("instanceType", "?"), inputs.get("rootBlockDevice") or {}
        if inputs.get("instanceMarketOptions") or "volumeSize" not in root:
            raise CostError(f"instance {vm['name']}: price a Spot market or AMI-sized root by hand")
        price = _hourly(ON_DEMAND, kind, "On-Demand")
        est.hours(f"EC2 instance `{vm['name']}`: {kind} ON_DEMAND", 1, price)
        gib, volume = Decimal(str(root["volumeSize"])), root.get("volumeType", "gp3")
        if f"{volume}_gb_month" not in PRICES:
            raise CostError(f"instance {vm['name']}: no price for {volume} volumes")
        item, price = f"EBS {volume} root volume of `{vm['name']}`", PRICES[f"{volume}_gb_month"]
        est.gib_months(item, f"1 x {gib} GiB", gib, price)
    for eip in _by_type(resources, "aws:ec2/eip:Eip"):
        est.hours(f"Public IPv4 address: Elastic IP `{eip['name']}`", 1, PRICES["ipv4_hour"])


def _volume_gib(group: Mapping[str, Any], resources: Resources) -> list[tuple[Decimal, str]]:
    """(GiB, volume type) of each volume a node of the group gets, from its launch template."""
    templates = [
        t
        for t in _by_type(resources, "aws:ec2/launchTemplate:LaunchTemplate")
        if t.get("parent") == group.get("parent") or t["name"] == f"{group['name']}-lt"
    ]
    if not group["inputs"].get("launchTemplate") or not templates:
        return [(Decimal(group["inputs"].get("diskSize", 20)), "gp2")]
    return [
        (Decimal(str(m["ebs"].get("volumeSize", 0))), m["ebs"].get("volumeType", "gp2"))
        for m in templates[0]["inputs"].get("blockDeviceMappings") or []
        if m.get("ebs")
    ]


def _check_architecture(group: str, types: Sequence[str], ami: str) -> None:
    for t in types:
        wanted = "arm64" if is_graviton(t) else "amd64"
        if ami_architecture(ami) not in (None, wanted):
            raise CostError(f"node group {group}: {t} is {wanted}, AMI type {ami} is not")


def _node_groups(resources: Resources, est: Estimate) -> None:
    for group in _by_type(resources, "aws:eks/nodeGroup:NodeGroup"):
        inputs = group["inputs"]
        types = list(inputs.get("instanceTypes") or ["t3.medium"])
        count = int((inputs.get("scalingConfig") or {}).get("desiredSize", 0))
        capacity = inputs.get("capacityType", "ON_DEMAND")
        ami = inputs.get("amiType", "AL2023_x86_64_STANDARD")
        _check_architecture(group["name"], types, ami)
        if capacity == "SPOT":  # price-capacity-optimized may take any type listed: the dearest
            chosen = max(types, key=lambda t: _hourly(SPOT, t, "Spot"))
            hourly = SPOT[chosen]
        else:  # On-Demand takes the types in the order listed
            chosen, hourly = types[0], _hourly(ON_DEMAND, types[0], "On-Demand")
        listed = f" (of {', '.join(types)})" if len(types) > 1 else ""
        item = f"Node group `{group['name']}`: {chosen} {capacity}{listed}, {ami}"
        est.hours(item, count, hourly)
        fee = ON_DEMAND.get(chosen, hourly) * PRICES["auto_mode_fraction"]
        est.auto_mode_fee += count * fee * HOURS
        for gib, kind in _volume_gib(group, resources):
            price = PRICES.get(f"{kind}_gb_month")
            if price is None:
                raise CostError(f"node group {group['name']}: no price for {kind} volumes")
            item = f"EBS {kind} volumes of `{group['name']}`"
            est.gib_months(item, f"{count} x {gib} GiB", count * gib, price)
        if ami.startswith("BOTTLEROCKET"):
            est.usage(f"Bottlerocket OS volumes of `{group['name']}` (AMI default)", "-", "-")


def _public_azs(resources: Resources) -> int:
    for cluster in _by_type(resources, "eks:index:Cluster"):
        if cluster["inputs"].get("publicSubnetIds"):
            return len(cluster["inputs"]["publicSubnetIds"])
    for vpc in _by_type(resources, "awsx:ec2:Vpc"):
        return int(vpc["inputs"].get("numberOfAvailabilityZones", 3))
    return 2


def _spec(r: Mapping[str, Any]) -> Mapping[str, Any]:
    return r["inputs"].get("spec") or {}


def _annotations(r: Mapping[str, Any]) -> Mapping[str, str]:
    return (r["inputs"].get("metadata") or {}).get("annotations") or {}


def _name(r: Mapping[str, Any]) -> str:
    return str((r["inputs"].get("metadata") or {}).get("name", r["name"]))


def _load_balancers(resources: Resources, est: Estimate) -> None:
    classes = {
        _name(c): _spec(c)
        for c in _by_type(resources, "kubernetes:networking.k8s.io/v1:IngressClass")
    }
    default = [
        _name(c)
        for c in _by_type(resources, "kubernetes:networking.k8s.io/v1:IngressClass")
        if _annotations(c).get("ingressclass.kubernetes.io/is-default-class") == "true"
    ]
    params = {_name(p): _spec(p) for p in resources if p["type"].endswith(":IngressClassParams")}
    albs: dict[str, dict[str, Any]] = {}
    for ing in _by_type(resources, INGRESS):
        notes = _annotations(ing)
        cls = _spec(ing).get("ingressClassName") or notes.get("kubernetes.io/ingress.class")
        cls = cls or (default[0] if default else None)
        spec = classes.get(cls or "", {})
        if spec and spec.get("controller") not in ALB_CONTROLLERS:
            continue  # not an ALB (another controller's class)
        p = params.get((spec.get("parameters") or {}).get("name", ""), {})
        scheme = p.get("scheme") or notes.get(f"{_ALB}/scheme", "internal")
        group = (p.get("group") or {}).get("name") or notes.get(f"{_ALB}/group.name")
        namespace = (ing["inputs"].get("metadata") or {}).get("namespace", "default")
        key = f"IngressGroup {group}" if group else f"Ingress {namespace}/{_name(ing)}"
        alb = albs.setdefault(key, {"public": False, "classes": set(), "subnets": None})
        alb["public"] |= scheme == "internet-facing"
        alb["classes"].add(cls or "(none)")
        if f"{_ALB}/subnets" in notes:
            alb["subnets"] = len(notes[f"{_ALB}/subnets"].split(","))
    for key, alb in sorted(albs.items()):
        scheme = "internet-facing" if alb["public"] else "internal"
        classes_used = ", ".join(sorted(alb["classes"]))
        est.hours(f"ALB ({scheme}) for {key} (class {classes_used}; 0 LCU)", 1, PRICES["alb_hour"])
        if alb["public"]:
            azs = alb["subnets"] or _public_azs(resources)
            est.hours("Public IPv4 addresses of that ALB (one per AZ)", azs, PRICES["ipv4_hour"])
    for svc in _by_type(resources, "kubernetes:core/v1:Service"):
        if _spec(svc).get("type") != "LoadBalancer":
            continue
        est.hours(f"NLB for Service `{_name(svc)}` (0 NLCU)", 1, PRICES["nlb_hour"])
        scheme = _annotations(svc).get("service.beta.kubernetes.io/aws-load-balancer-scheme")
        if scheme == "internet-facing":
            azs = _public_azs(resources)
            est.hours("Public IPv4 addresses of that NLB (one per AZ)", azs, PRICES["ipv4_hour"])


def _storage(resources: Resources, est: Estimate) -> None:
    gp3 = PRICES["gp3_gb_month"]
    for vol in _by_type(resources, "aws:ebs/volume:Volume"):
        kind = vol["inputs"].get("type", "gp3")
        price = PRICES.get(f"{kind}_gb_month", gp3)
        size = Decimal(str(vol["inputs"].get("size", 0)))
        est.gib_months(f"EBS {kind} volume `{vol['name']}`", f"{size} GiB", size, price)
    claims: list[tuple[str, Decimal]] = []
    for pvc in _by_type(resources, "kubernetes:core/v1:PersistentVolumeClaim"):
        claims.append((f"PersistentVolumeClaim `{_name(pvc)}`", _gib(_storage_request(_spec(pvc)))))
    for sts in _by_type(resources, "kubernetes:apps/v1:StatefulSet"):
        replicas = int(_spec(sts).get("replicas", 1))
        for template in _spec(sts).get("volumeClaimTemplates") or []:
            size = replicas * _gib(_storage_request(template.get("spec") or {}))
            claims.append((f"StatefulSet `{_name(sts)}` volumes ({replicas} replicas)", size))
    for item, gib in claims:
        quantity = f"{gib.normalize():f} GiB"
        est.gib_months(f"EBS gp3 for {item} (default StorageClass)", quantity, gib, gp3)


def _storage_request(spec: Mapping[str, Any]) -> object:
    return ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")


def _monthly_items(resources: Resources, est: Estimate) -> None:
    for ep in _by_type(resources, "aws:ec2/vpcEndpoint:VpcEndpoint"):
        inputs = ep["inputs"]
        service = str(inputs.get("serviceName", ep["name"])).removeprefix(
            f"com.amazonaws.{REGION}."
        )
        if inputs.get("vpcEndpointType", "Gateway") == "Interface":
            azs = len(inputs.get("subnetIds") or [])
            item = f"Interface VPC endpoint `{service}` (0 GB processed)"
            est.hours(item, azs, PRICES["endpoint_az_hour"], "AZ")
        else:
            est.usage(f"Gateway VPC endpoint `{service}` (free)", "1", "$0")
    for key in _by_type(resources, "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"):
        rotation = "rotation adds $1/month per rotated version, at most 2"
        est.month(f"KMS key `{key['name']}` ({rotation})", PRICES["kms_key_month"])
    for secret in _by_type(resources, "aws:secretsmanager/secret:Secret"):
        name = secret["inputs"].get("name", secret["name"])
        est.month(f"Secrets Manager secret `{name}`", PRICES["secret_month"])
    for zone in _by_type(resources, "aws:route53/zone:Zone"):
        est.month(f"Route 53 hosted zone `{zone['name']}`", PRICES["zone_month"])
    for param in _by_type(resources, "aws:ssm/parameter:Parameter"):
        if param["inputs"].get("tier") == "Advanced":
            est.month(f"SSM advanced parameter `{param['name']}`", PRICES["ssm_advanced_month"])
    logs = f"${PRICES['logs_ingest_gb']}/GB in, ${PRICES['logs_store_gb_month']}/GB-month"
    for group in _by_type(resources, "aws:cloudwatch/logGroup:LogGroup"):
        name = group["inputs"].get("name", group["name"])
        days = group["inputs"].get("retentionInDays", "never expire")
        est.usage(f"CloudWatch log group `{name}` (kept {days} days; usage)", "0 GB", logs)
    for pool in _by_type(resources, "kubernetes:karpenter.sh/v1:NodePool"):
        limits = ", ".join(f"{k} {v}" for k, v in sorted((_spec(pool).get("limits") or {}).items()))
        item = f"Karpenter NodePool `{_name(pool)}`: scales from zero, not fixed (limits {limits})"
        est.usage(item, "0 nodes", "-")
    for profile in _by_type(resources, "aws:eks/fargateProfile:FargateProfile"):
        item = f"Fargate profile `{profile['name']}`: pods pay per vCPU- and GB-hour, not fixed"
        est.usage(item, "0 pods", "-")


def estimate(resources: Resources) -> Estimate:
    """Every always-on priced thing of a synth, as :class:`Line` items."""
    est = Estimate()
    for part in (_control_planes, _nat_gateways, _instances, _node_groups, _load_balancers):
        part(resources, est)
    _storage(resources, est)
    _monthly_items(resources, est)
    return est


def render(est: Estimate, *, markdown: bool = False) -> str:
    """The table: a Markdown table, or aligned text."""
    fee = money(est.auto_mode_fee)
    auto = f"EKS Auto Mode's fee for the same always-on instances would add {fee}/month."
    total = f"Total fixed: {money(est.total)}/month"
    if markdown:
        rows = ["| item | quantity | price | $/month |", "|---|---|---|---:|"]
        rows += [
            f"| {li.item} | {li.quantity} | {li.price} | {li.monthly:,.2f} |" for li in est.lines
        ]
        return "\n".join([*rows, "", f"**{total}** ({REGION} list prices, read {READ_ON}). {auto}"])
    width = max(len(li.item) for li in est.lines) if est.lines else 10
    rows = [
        f"{li.item.ljust(width)}  {li.quantity:>16}  {li.price:>22}  {li.monthly:>9,.2f}"
        for li in est.lines
    ]
    return "\n".join([*rows, "", f"{total} ({REGION} list prices, read {READ_ON})", auto])


def load(path: Path) -> list[dict[str, Any]]:
    """The resources of a synth's JSON (``components.synth --json``)."""
    data = json.loads(path.read_text())
    return list(data["resources"] if isinstance(data, dict) else data)


def _region(stack: str) -> str | None:
    stack_file = ROOT / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        return None
    found = re.search(r"^\s*aws:region:\s*(\S+)", stack_file.read_text(), re.MULTILINE)
    return found[1] if found else None


def synth_json(stack: str, out: Path) -> Path:
    """Run the offline synth of ``stack`` into ``out``."""
    command = [sys.executable, "-m", "components.synth", "--stack", stack, "--json", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return out


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts.cost", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", help="dev, staging or prod: synth it (or read its snapshot)")
    parser.add_argument("--json", type=Path, help="read this synth JSON instead")
    parser.add_argument("--snapshot", action="store_true", help="read tests/snapshots/STACK.json")
    parser.add_argument("--markdown", action="store_true", help="the table docs/cost.md holds")
    args = parser.parse_args(list(argv) if argv is not None else None)
    region = _region(args.stack) if args.stack else None
    if region not in (None, REGION):
        print(f"error: {args.stack} is in {region}; the prices are {REGION}'s", file=sys.stderr)
        return 1
    try:
        if args.json:
            resources = load(args.json)
        elif args.stack and args.snapshot:
            resources = load(ROOT / "tests" / "snapshots" / f"{args.stack}.json")
        elif args.stack:
            with tempfile.TemporaryDirectory() as tmp:
                resources = load(synth_json(args.stack, Path(tmp) / "synth.json"))
        else:
            parser.error("give --stack or --json")
        print(render(estimate(resources), markdown=args.markdown))
    except CostError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
