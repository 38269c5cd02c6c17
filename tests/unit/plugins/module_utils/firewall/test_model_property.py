# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's parameters under hypothesis, through validation (DesiredState.from_params) into every
backend's builder: a value is refused, or every rule it yields renders to exactly the fixed shape of that
layer - one nft statement, one iptables-restore line, one ufw argv of fixed length, firewalld port and rich
rule texts that read back as the same item. No generated value adds a token, a statement or a match."""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Any, Dict

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.parse import (
    items_for_rules,
    parse_port_item,
    parse_rich_rule,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import (
    render_rule as iptables_rule,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState, FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.backend import render_rule as nft_rule
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.backend import render_steps
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

SYNTAX = " \t\n\r\x00;{}#$`\"'\\<>()[]=%@+,!&?|^-/:."
HOSTILE_TEXT = st.text("0123456789abcdef" + SYNTAX + "\u00e9\udcff", max_size=20)

PORT = st.one_of(
    st.integers(1, 65535),
    st.integers(1, 65535).flatmap(lambda a: st.integers(a, 65535).map(lambda b: f"{a}-{b}")),
    st.integers(-5, 70000),
    st.tuples(st.integers(0, 66000), st.integers(0, 66000)).map(lambda t: f"{t[0]}-{t[1]}"),
    HOSTILE_TEXT,
    st.sampled_from(PAYLOADS).map(lambda p: "443" + p),
)
NETWORK = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).flatmap(lambda a: st.integers(0, 32).map(lambda n: f"{a}/{n}")),
    st.ip_addresses(v=6).flatmap(lambda a: st.integers(0, 128).map(lambda n: f"{a}/{n}")),
)
CANONICAL = NETWORK.map(lambda n: str(ipaddress.ip_network(n, strict=False)))
SOURCE = st.one_of(
    CANONICAL, CANONICAL, NETWORK, HOSTILE_TEXT, st.tuples(NETWORK, st.sampled_from(PAYLOADS)).map("".join)
)
PARAMS = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["open", "closed", "open", "open;"]),
        "port": st.lists(PORT, min_size=1, max_size=3),
        "protocol": st.lists(st.sampled_from(["tcp", "udp", "tcp", "udp", "sctp", "tcp;"]), min_size=1, max_size=2),
        "source": st.one_of(st.just([]), st.lists(SOURCE, max_size=2)),
        "family": st.sampled_from(["both", "both", "both", "ipv4", "ipv6", "ipv4 "]),
        "backend": st.just("auto"),
    }
)

CIDR = r"[0-9a-f.:]+/[0-9]{1,3}"
PORTS = r"[0-9]{1,5}(?:-[0-9]{1,5})?"
NFT = re.compile(
    rf'\A(?:ip6? saddr {CIDR} |meta nfproto ipv[46] |)(?:tcp|udp) dport {PORTS} accept comment "webedge\.https: '
    rf'(?:tcp|udp)/{PORTS} ipv[46] from (?:any|{CIDR})"\Z'
)
IPT_PORTS = r"[0-9]{1,5}(?::[0-9]{1,5})?"
SAFE_ARG = re.compile(r"\A[A-Za-z0-9.:/_=-]+\Z")


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(PARAMS)
def test_every_accepted_value_renders_to_the_fixed_shape_of_each_backend(params: Dict[str, Any]):
    try:
        desired = DesiredState.from_params(params)
    except (FirewallError, ValueError):
        event("refused")
        return
    event("accepted")
    for rule in desired.rules:
        if rule.source is not None:
            assert str(ipaddress.ip_network(rule.source)) == rule.source
        for table in ("inet", "ip", "ip6"):
            text = nft_rule(rule, table)
            assert NFT.match(text), text
        argv = shlex.split(iptables_rule(rule))
        assert argv[:2] == ["-A", argv[1]] and argv[-2:] == ["-j", "ACCEPT"], argv
        assert all(SAFE_ARG.match(a) for a in argv if not a.startswith("webedge.https: ")), argv
        assert len(argv) in (14, 16), argv
    for step in render_steps(desired.rules, desired.rules):
        assert len(step.argv) in (10, 11, 12), step.argv
        assert all(isinstance(a, str) and SAFE_ARG.match(a) for a in step.argv), step.argv
    for item in items_for_rules(desired.rules):
        text = item.text()
        assert "\n" not in text and ";" not in text
        back = parse_port_item(text) if item.kind == "port" else parse_rich_rule(text)
        assert back == item, (text, back, item)
