# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""exposure_info's options: bad input fails naming the value, before any work."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest, parse_allowed
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError


def test_the_allow_list_takes_ports_ranges_and_protocols():
    entries = parse_allowed([22, "443", " 8000-8080/TCP", "53/udp", 22])
    assert [str(e) for e in entries] == ["22", "443", "8000-8080/tcp", "53/udp"]
    assert entries[2].covers("tcp", 8080) and not entries[2].covers("udp", 8080)
    assert entries[3].covers("udp", 53) and not entries[3].covers("tcp", 53)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"source": "10.0.0.5/8"}, "10.0.0.5/8"),
        ({"source": "300.1.2.3"}, "300.1.2.3"),
        ({"allowed": [22, "8080-80"]}, "allowed[1]: "),
        ({"allowed": [22, "8080-80"]}, "8080-80"),
        ({"allowed": ["443/sctp"]}, "allowed[0]: '443/sctp' names an unknown protocol 'sctp'"),
        ({"allowed": ["https"]}, "'https'"),
        ({"ports": [0]}, "ports[0]: "),
        ({"interface": "eth0; rm -rf /"}, "invalid interface 'eth0; rm -rf /'"),
        ({"protocols": ["icmp"]}, "invalid protocol 'icmp'"),
        ({"fail_on_unexpected": True}, "fail_on_unexpected needs allowed"),
    ],
)
def test_bad_input_is_named(params, message):
    with pytest.raises(ValidationError) as info:
        ExposureRequest.from_params(params)
    assert message in str(info.value)


def test_a_source_address_or_network():
    host = ExposureRequest.from_params({"source": "192.0.2.7"})
    assert (host.source, host.source_address, host.source_family) == ("192.0.2.7/32", "192.0.2.7", "ipv4")
    net = ExposureRequest.from_params({"source": "2001:db8::/32"})
    assert (net.source_address, net.source_family) == ("2001:db8::/32", "ipv6")
    assert ExposureRequest.from_params({"source": " "}).source is None
