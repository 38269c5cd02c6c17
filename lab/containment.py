"""Containment guard: lab traffic must never leave this machine.

Everything that sends packets to lab addresses (make demo, molecule scenarios,
benchmarks, tools/compare_scanners.py) runs this first:

    python3 lab/containment.py [--network webedge-lab]

For each subnet of the lab network it

1. installs an ``unreachable`` route with a high metric, so that if the lab
   bridge is ever missing a connection fails at once instead of following the
   default route out of the machine (the bridge's own route wins while it is up);
2. asks the kernel (``ip -j route get``) how it would reach an address of the
   subnet, and fails unless the answer names the lab bridge and no gateway.

Why: with podman's CNI backend an ``--internal`` network gives the machine no
address on the bridge, so the kernel routes lab addresses through the default
gateway and probes were answered by hosts outside the machine. With netavark the
bridge holds the subnet's first address and the route names it.

Exit status 0 when contained, 1 with a message saying what is wrong and how to
fix it otherwise. Standard library only (it runs before the venv exists).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

UNREACHABLE_METRIC = 1000
FIX = "run `make network` (lab/setup-host.sh switches podman to netavark and re-creates the lab network)"


@dataclass(frozen=True)
class LabNetwork:
    name: str
    bridge: str
    backend: str
    subnets: List[str]


@dataclass(frozen=True)
class Route:
    """What `ip -j route get ADDRESS` answers, reduced to what decides containment."""

    destination: str
    dev: str
    gateway: Optional[str]
    kind: str  # "unicast", "unreachable", "blackhole", "prohibit", ...


Runner = Callable[[Sequence[str]], str]


def run(argv: Sequence[str]) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GuardError(f"`{' '.join(argv)}` failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class GuardError(Exception):
    """Containment is broken or cannot be established; the message says how to fix it."""


def parse_network(inspect_json: str, backend: str) -> LabNetwork:
    """`podman network inspect NAME` output (a one-element list) to a LabNetwork."""
    data = json.loads(inspect_json)
    if isinstance(data, list):
        if not data:
            raise GuardError("podman network inspect answered an empty list")
        data = data[0]
    subnets = [entry["subnet"] for entry in data.get("subnets") or []]
    if not data.get("internal"):
        raise GuardError(f"podman network {data.get('name')} is not --internal; remove it and {FIX}")
    return LabNetwork(data["name"], data.get("network_interface", ""), backend, subnets)


def parse_route(route_json: str) -> Route:
    """One answer of `ip -j route get ADDRESS` (iproute2 6.x JSON)."""
    entries = json.loads(route_json)
    if not entries:
        raise GuardError("`ip route get` answered nothing")
    entry = entries[0]
    return Route(entry.get("dst", ""), entry.get("dev", ""), entry.get("gateway"), entry.get("type", "unicast"))


def probe_address(subnet: str) -> str:
    """An address inside the subnet that the lab could use (not the bridge's own first address)."""
    network = ipaddress.ip_network(subnet, strict=False)
    return str(network.network_address + 201 if network.num_addresses > 202 else network.broadcast_address - 1)


def judge(network: LabNetwork, subnet: str, route: Route) -> Optional[str]:
    """None when traffic to the subnet stays on the lab bridge; otherwise what is wrong."""
    where = f"lab subnet {subnet} (route to {route.destination})"
    if route.kind != "unicast":
        return f"{where} is {route.kind}: the lab bridge {network.bridge or '?'} is down or missing"
    if route.gateway:
        why = " (podman's CNI backend gives the machine no address on an internal bridge)"
        return f"{where} goes via gateway {route.gateway} on {route.dev}: lab packets would leave the machine" + (
            why if network.backend == "cni" else ""
        )
    if route.dev != network.bridge:
        return f"{where} goes out of {route.dev}, not the lab bridge {network.bridge}"
    return None


def subnet_of(network: LabNetwork, address: str) -> Optional[str]:
    """The lab subnet holding ``address`` (None when outside the lab or not an address)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    for subnet in network.subnets:
        if ip in ipaddress.ip_network(subnet, strict=False):
            return subnet
    return None


def ensure_unreachable_routes(network: LabNetwork, runner: Runner) -> None:
    """A high-metric unreachable route per subnet: the fallback when the bridge's route is gone."""
    for subnet in network.subnets:
        family = "-6" if ipaddress.ip_network(subnet, strict=False).version == 6 else "-4"
        existing = runner(["ip", "-j", family, "route", "show", "type", "unreachable", subnet])
        if any(entry.get("metric") == UNREACHABLE_METRIC for entry in json.loads(existing or "[]")):
            continue
        runner(["ip", family, "route", "add", "unreachable", subnet, "metric", str(UNREACHABLE_METRIC)])


def check(
    network: LabNetwork,
    runner: Runner,
    allow_down: bool = False,
    down: Optional[List[str]] = None,
    addresses: Sequence[str] = (),
) -> List[str]:
    """Every containment problem of the lab network (empty when traffic stays on the machine).

    allow_down: a subnet that is unreachable (no lab host running yet, so netavark has
    not brought the bridge up) counts as contained; before sending, it does not.
    down: when given, collects the subnets found unreachable.
    addresses: lab addresses a tool is about to contact; each must be inside a lab subnet
    and route to the bridge too.
    """
    problems = []
    if network.backend != "netavark":
        problems.append(f"podman's network backend is {network.backend!r}, not netavark")
    if not network.subnets:
        problems.append(f"podman network {network.name} has no subnets")
    targets = [(subnet, probe_address(subnet)) for subnet in network.subnets]
    for address in addresses:
        subnet = subnet_of(network, address)
        if subnet is None:
            problems.append(f"{address} is not inside the lab network {network.name} ({', '.join(network.subnets)})")
        else:
            targets.append((subnet, address))
    for subnet, address in targets:
        try:
            route = parse_route(runner(["ip", "-j", "route", "get", address]))
        except GuardError as exc:  # the unreachable fallback answers with an error: bridge down
            if down is not None:
                down.append(subnet)
            if allow_down:
                continue
            problems.append(f"lab subnet {subnet} cannot be reached: the lab bridge is down or missing ({exc})")
            continue
        problem = judge(network, subnet, route)
        if problem:
            problems.append(problem)
    return problems


def load_network(name: str, runner: Runner) -> LabNetwork:
    backend = runner(["podman", "info", "--format", "{{.Host.NetworkBackend}}"]).strip()
    try:
        inspect = runner(["podman", "network", "inspect", name])
    except GuardError as exc:
        raise GuardError(f"podman network {name} does not exist ({exc}); {FIX}") from None
    return parse_network(inspect, backend)


def main(argv: Optional[Sequence[str]] = None, runner: Runner = run) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="webedge-lab", help="podman network of the lab (default %(default)s)")
    parser.add_argument("--no-routes", action="store_true", help="check only; do not add the unreachable routes")
    parser.add_argument(
        "--allow-down",
        action="store_true",
        help="accept an unreachable subnet (bridge not up yet: no lab host runs); used when setting up",
    )
    parser.add_argument(
        "--address",
        action="append",
        default=[],
        help="a lab address about to be contacted (repeatable): it must be in a lab subnet and route to the bridge",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing when contained")
    args = parser.parse_args(argv)
    down: List[str] = []
    try:
        network = load_network(args.network, runner)
        if not args.no_routes:
            ensure_unreachable_routes(network, runner)
        problems = check(network, runner, allow_down=args.allow_down, down=down, addresses=args.address)
    except GuardError as exc:
        problems = [str(exc)]
    if problems:
        print(
            "[lab] containment guard failed: lab traffic is not kept on the lab bridge; nothing is sent.",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"  fix: {FIX}", file=sys.stderr)
        return 1
    if not args.quiet and down:
        print(f"[lab] contained: {', '.join(down)} unreachable until a lab host brings bridge {network.bridge} up")
    elif not args.quiet:
        print(f"[lab] contained: {', '.join(network.subnets)} reach only bridge {network.bridge} ({network.backend})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
