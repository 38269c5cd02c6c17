# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""exposure_info on Linux, end to end: real listening sockets of this test, this machine's /proc, and the
rulesets and routes a host answers (iptables-nft saves, the captured ``ip -j route``)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.exposure.linux import run
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "exposure"


class Host:
    """Read-only answers: iptables-nft saves (no nft), the captured routes; records what ran."""

    def __init__(self, v4: str, v6: str) -> None:
        self.answers: Dict[Tuple[str, ...], Tuple[int, str, str]] = {
            ("iptables", "-V"): (0, "iptables v1.8.9 (nf_tables)\n", ""),
            ("iptables-nft-save",): (0, v4, ""),
            ("ip6tables-nft-save",): (0, v6, ""),
            ("ip", "-j", "-4", "route", "show", "table", "all"): (0, (FIXTURES / "ip-route-4.json").read_text(), ""),
            ("ip", "-j", "-6", "route", "show", "table", "all"): (0, (FIXTURES / "ip-route-6.json").read_text(), ""),
        }
        self.seen: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.seen.append(tuple(argv))
        return self.answers.get(tuple(argv), (127, "", "not found"))


def _filter(accept: str, nat: str = "") -> str:
    text = f"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n{accept}COMMIT\n"
    if nat:
        chains = "".join(f":{chain} ACCEPT [0:0]\n" for chain in ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"))
        text += f"*nat\n{chains}{nat}COMMIT\n"
    return text


@pytest.fixture
def listeners():
    """A TCP socket on every IPv4 address, one on loopback only, a UDP one on every address."""
    made = []

    def listen(kind: int, address: str) -> int:
        sock = socket.socket(socket.AF_INET, kind)
        sock.bind((address, 0))
        if kind == socket.SOCK_STREAM:
            sock.listen()
        made.append(sock)
        return sock.getsockname()[1]

    ports = {
        "wide": listen(socket.SOCK_STREAM, "0.0.0.0"),
        "loopback": listen(socket.SOCK_STREAM, "127.0.0.1"),
        "udp": listen(socket.SOCK_DGRAM, "0.0.0.0"),
    }
    yield ports
    for sock in made:
        sock.close()


def _entry(result, port, protocol="tcp"):
    return next(e for e in result["exposure"] if e["port"] == port and e["protocol"] == protocol)


def test_real_sockets_joined_with_the_firewall(listeners):
    wide, loop, udp = listeners["wide"], listeners["loopback"], listeners["udp"]
    accept = f"-A INPUT -p tcp -m tcp --dport {wide} -j ACCEPT\n-A INPUT -p tcp -m tcp --dport {loop} -j ACCEPT\n"
    host = Host(_filter(accept), _filter(""))
    result = run({"source": "198.51.100.7", "ports": [wide, loop, udp]}, host)
    assert result["interfaces"] == {"ipv4": "eth0"}
    entry = _entry(result, wide)
    assert (entry["exposed"], entry["pid"], entry["families"]["ipv4"]["path"]) == ("yes", os.getpid(), "input")
    assert f"--dport {wide} -j ACCEPT" in entry["decided_by"]
    assert _entry(result, loop)["exposed"] == "no"
    assert "loopback address" in _entry(result, loop)["reason"]
    assert (_entry(result, udp, "udp")["exposed"], _entry(result, udp, "udp")["decided_by"]) == (
        "no",
        "iptables filter INPUT: policy DROP",
    )
    assert [(g["port"], g["protocol"]) for g in result["exposed"]] == [(wide, "tcp")]
    assert all(
        argv[0] in ("nft", "iptables", "iptables-nft-save", "ip6tables-nft-save", "cat", "ip") for argv in host.seen
    )


def test_the_allow_list_and_a_published_port_without_a_socket(listeners):
    wide = listeners["wide"]
    accept = (
        f"-A INPUT -p tcp -m tcp --dport {wide} -j ACCEPT\n"
        "-A FORWARD -d 10.89.42.5/32 -o podman1 -p tcp -m tcp --dport 80 -j ACCEPT\n"
    )
    nat = "-A PREROUTING -p tcp -m tcp --dport 8088 -j DNAT --to-destination 10.89.42.5:80\n"
    result = run({"ports": [wide, 8088], "protocols": ["tcp"], "allowed": [22, 443]}, Host(_filter(accept, nat), ""))
    published = next(e for e in result["exposure"] if e["port"] == 8088)
    assert (published["address"], published["exposed"]) == (None, "yes")
    assert published["families"]["ipv4"]["path"] == "forward"
    assert published["families"]["ipv4"]["nat_to"] == "10.89.42.5:80"
    unexpected = {g["port"]: g["owners"] for g in result["unexpected"]}
    assert sorted(unexpected) == sorted([wide, 8088])
    assert unexpected[8088] == ["forwarded to 10.89.42.5:80"]
    assert unexpected[wide][0].startswith(f"{_entry(result, wide)['process']} (pid {os.getpid()}")
    assert "not in the allow-list" in result["msg"]


def test_fail_on_unexpected_marks_the_result_failed(listeners):
    wide = listeners["wide"]
    host = Host(_filter(f"-A INPUT -p tcp -m tcp --dport {wide} -j ACCEPT\n"), "")
    result = run({"ports": [wide], "allowed": [22], "fail_on_unexpected": True}, host)
    assert result["failed"] is True and f"{wide}/tcp" in result["msg"]


def test_bad_input_runs_nothing():
    host = Host("", "")
    with pytest.raises(ValidationError):
        run({"source": "10.0.0.5/8"}, host)
    assert host.seen == []
