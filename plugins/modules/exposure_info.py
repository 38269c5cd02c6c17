#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: exposure_info
short_description: Report which listening sockets a new connection from a source can really reach
version_added: 0.2.0
description:
  - Joins every listening socket of the host (as M(webedge.https.listening_ports) reads them, with the process, the
    systemd unit and the container behind each) with the firewall's verdict for a NEW connection to it from
    O(source) (as M(webedge.https.firewall_info) computes it from the kernel's rulesets), and says for each socket
    whether it is exposed - V(yes), V(no) or V(unknown) - with the rule or policy that decides, or why it cannot be
    decided.
  - "Per address family the socket accepts (an IPv4 socket: IPv4; a dual-stack V(::) socket: both; a V(::) socket
    with C(IPV6_V6ONLY): IPv6 only - read from the kernel over netlink): a socket bound to a loopback address is not
    exposed; any other is exposed when the verdict for a connection to its port, sent to its own address (or to any
    address of the host, for a wildcard), is C(accept), not exposed on C(drop) or C(reject), and unknown when the
    evaluator cannot decide (RV(exposure[].reason) says why - it never guesses)."
  - "The whole way in is evaluated on Linux: the nat chains of the prerouting hook first. A port a DNAT sends to
    another address - a container's published port, as Docker and podman (netavark) set them up - is decided on the
    forward path (every base chain on the forward hook, conntrack status C(dnat), out through the interface the host
    routes the container's address to): the socket the engine keeps on the host port (podman's C(conmon),
    C(docker-proxy)) never sees those connections. A REDIRECT (or a DNAT to an address of the host) moves the
    connection to another local port, decided on the input path. A DNATed port nothing on the host listens on is
    reported too (RV(exposure[].address) V(null))."
  - "The inbound interface: O(interface), else the one the host routes O(source) through (the default route for
    any source; without one, the only non-container interface that reaches other hosts). When it cannot be told,
    every interface the rules name is tried and answers that differ make the verdict V(unknown)."
  - With O(allowed), the exposed ports that the allow-list does not cover are listed in RV(unexpected), with their
    owners; O(fail_on_unexpected) fails the task on them.
  - "Only reads. On Linux: C(/proc) (the socket tables, the owning processes, their cgroups), the socket options
    over netlink (sock_diag), C(nft -j list ruleset) and the C(iptables-save) variants M(webedge.https.firewall_info)
    reads, C(ip -j route show table all) per family, and C(systemctl list-sockets) only when PID 1 holds a
    listening socket (socket activation)."
  - On Windows the same options and result keys apply; what Windows reads and decides is in the notes.
author:
  - webedge.https contributors (@webedge)
options:
  source:
    description:
      - The address or network (CIDR) new connections come from; only its family is evaluated.
      - "A network: a rule that matches every address of it matches, one that matches none does not, and one that
        matches part of it makes the verdict V(unknown) (it depends on the address). Host bits must be clear
        (V(10.0.0.0/8), not V(10.0.0.5/8))."
      - Omitted, connections come from an address no rule names (the internet), in both families.
    type: str
  interface:
    description:
      - The interface connections arrive on (C(eth0); on Windows an interface alias such as C(Ethernet)).
      - Omitted, worked out from the routes to O(source) (see the description).
    type: str
  protocols:
    description: The protocols of the sockets to audit.
    type: list
    elements: str
    choices: [tcp, udp]
    default: [tcp, udp]
  ports:
    description:
      - Audit only sockets on these ports (V(443) or V("8000-8080")); empty means every port.
    type: list
    elements: raw
    default: []
  allowed:
    description:
      - The allow-list - ports that may be exposed. Each item is a port or range, for both protocols (V(443),
        V("8000-8080")), or for one (V("443/tcp"), V("53/udp")).
      - Every exposed port it does not cover is listed in RV(unexpected). Omitted, RV(unexpected) is empty and
        RV(allowed) is V(null).
    type: list
    elements: raw
  fail_on_unexpected:
    description:
      - Fail when an exposed port is not in O(allowed) (which it needs).
    type: bool
    default: false
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.windows_dispatch
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode runs it the same way.
  diff_mode:
    support: none
notes:
  - The module never changes anything; RV(ignore:changed) is always V(false).
  - Run it with C(become) to see the owners of every socket and to read the firewall.
  - "What it cannot see: the container's own listener behind a DNAT (the port counts as exposed when the firewall
    lets the connection through to the container), filtering in the raw/mangle prerouting chains and netdev
    ingress, policy routing (the C(main) table is used) and other hosts' firewalls on the way. nmap reports a UDP
    port V(open) only when something answers; an exposed UDP socket whose program ignores the probe shows as
    C(open|filtered) there."
  - "Windows: ONE PowerShell round trip runs the read of M(webedge.https.listening_ports) and the read of
    M(webedge.https.firewall_info) and reads the services (C(Win32_Service)) of the owning processes; the join and
    the verdicts are computed on the controller with the same code as M(webedge.https.firewall_info). Windows
    Defender Firewall has no DNAT: every socket is decided on the input path. RV(exposure[].unit) is the service(s)
    the owning process runs (C(svchost) hosts several); RV(exposure[].container) is always V(null). The inbound
    interface is tried on each connected network when O(interface) is not given. A source network is decided by
    evaluating one address of each part of it that the rules' remote addresses cut it into."
seealso:
  - module: webedge.https.listening_ports
  - module: webedge.https.firewall_info
"""

EXAMPLES = r"""
- name: What can the internet reach on this host?
  webedge.https.exposure_info:
  become: true
  register: exposure

- name: Show the exposed ports and who serves them
  ansible.builtin.debug:
    msg: "{{ exposure.exposed | map(attribute='port') | list }}"

- name: Fail when anything but SSH, HTTP and HTTPS is reachable from the office network
  webedge.https.exposure_info:
    source: 192.0.2.0/24
    allowed: ["{{ ansible_port | default(22) }}", 80, 443]
    fail_on_unexpected: true
  become: true

- name: Only TCP, only the web ports, arriving on eth1
  webedge.https.exposure_info:
    protocols: [tcp]
    ports: [80, 443, "8000-8999"]
    interface: eth1
  become: true
"""

RETURN = r"""
source:
  description: The source asked about, as a network (V(192.0.2.7/32)); V(null) for any address.
  returned: always
  type: str
  sample: null
interfaces:
  description: The inbound interface used per family (V(null) where every interface the rules name was tried).
  returned: always
  type: dict
  sample: {ipv4: eth0, ipv6: eth0}
exposure:
  description:
    - One entry per listening socket (sorted by protocol, port, family, address), then one per DNATed port no socket
      covers.
  returned: always
  type: list
  elements: dict
  contains:
    protocol:
      description: V(tcp) or V(udp).
      type: str
    family:
      description: The socket's family (a DNATed port without a socket - the family evaluated).
      type: str
    address:
      description: The address the socket is bound to; V(null) for a DNATed port without a socket.
      type: str
    port:
      description: The port.
      type: int
    dual_stack:
      description: Whether this V(::) socket also accepts IPv4.
      type: bool
    exposed:
      description: V(yes) when some family is exposed, else V(unknown) when some family cannot be decided, else V(no).
      type: str
      sample: "yes"
    decided_by:
      description: The rule or policy that decides (of the family that gives RV(exposure[].exposed)).
      type: str
      sample: "nftables inet filter input: rule 'tcp dport 443 accept' (handle 7)"
    reason:
      description: Why it cannot be decided, or why it is not exposed without a verdict (loopback); else empty.
      type: str
    families:
      description:
        - Per family evaluated - V(ipv4), V(ipv6) - C(exposed), C(path) (V(input); V(forward) after a DNAT to
          another address; V(prerouting) when a nat chain drops it or cannot be decided; V(loopback); V(family)
          when the source is of the other family), C(verdict), C(decided_by), C(reason), C(nat_to) (where a DNAT or
          redirect sends it, V(10.88.0.2:80)) and C(nat_by) (that nat rule).
      type: dict
    pid:
      description: The lowest pid holding the socket; V(null) when unknown.
      type: int
    process:
      description: The process name.
      type: str
      sample: nginx
    user:
      description: The owning process's user.
      type: str
    owner_unknown_reason:
      description: Why the owner could not be seen; V(null) when it could.
      type: str
    unit:
      description:
        - The systemd unit the socket serves - for a socket systemd holds (socket activation), the service its socket
          unit activates, not PID 1. Windows - the service(s) of the owning process.
      type: str
      sample: nginx.service
    socket_unit:
      description: The C(.socket) unit holding the socket for RV(exposure[].unit) (socket activation), else V(null).
      type: str
    container:
      description: The container the socket belongs to (its name, or its short id when the name is not known).
      type: str
      sample: web
exposed:
  description: The exposed ports, one per protocol and port, with the families, the owners and the deciding rules.
  returned: always
  type: list
  elements: dict
  sample:
    - {port: 443, protocol: tcp, families: [ipv4, ipv6], owners: ["nginx (pid 812, nginx.service)"], reasons: []}
unknown:
  description: The ports whose exposure cannot be decided, as in RV(exposed), with the reasons.
  returned: always
  type: list
  elements: dict
allowed:
  description: The allow-list as understood (V(443), V(53/udp)); V(null) without O(allowed).
  returned: always
  type: list
  elements: str
unexpected:
  description: The entries of RV(exposed) that O(allowed) does not cover.
  returned: always
  type: list
  elements: dict
notes:
  description: What the audit assumed or could not read (the inbound interface and why, rulesets that failed).
  returned: always
  type: list
  elements: str
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.exposure.linux import run
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.specs.exposure_info import module_kwargs


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    if not os.path.exists("/proc/net/tcp"):
        module.fail_json(msg=f"no /proc/net/tcp here: exposure_info reads Linux's /proc ({platform.system()})")
    try:
        result = run(module.params, ModuleRunner(module))
    except FirewallError as exc:
        module.fail_json(msg=str(exc))
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
