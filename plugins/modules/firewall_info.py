#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: firewall_info
short_description: Report the host firewall and whether new connections to given ports would be accepted
version_added: 0.1.0
description:
  - Reports which firewalls are installed and which filter input (firewalld, ufw, nftables, iptables),
    the default inbound policy of every input chain, the rules M(webedge.https.firewall_port) owns as each
    backend reads them back, and a verdict for each port in O(ports).
  - "A verdict answers: would the first packet of a new inbound connection to this port be accepted,
    dropped or rejected - and which rule or policy decides? It is computed from the kernel's own ruleset
    (C(nft -j list ruleset); C(iptables-save)/C(ip6tables-save) for tables iptables-nft or iptables-legacy
    manage), whichever front-end wrote it, so firewalld zones, ufw rules, Docker chains and fail2ban bans
    are all seen as the packet meets them."
  - Every base chain on the input hook is walked in priority order, following jumps, gotos and returns
    down to the chain policies. A packet must be accepted by every base chain; a drop or reject in any
    one of them is final.
  - The evaluator never guesses. A rule it cannot fully decide (a rate limit, an ipset, a mark, a
    destination address, a source port, an unknown match) that would decide the packet makes the verdict
    C(unknown), and RV(verdicts[].ipv4.reason) names that rule. A rule that certainly does not match
    (another protocol or port) is skipped whatever else it holds.
  - "Assumptions: the packet is new (conntrack state C(new), not DNATed), goes to a unicast address of
    this host, and never arrives on the loopback interface. Without O(source) it comes from an address no
    rule names; without O(interface) it is evaluated once for each interface the rules name and once
    for any other interface, and if those answers differ the verdict is C(unknown) with each answer in
    the reason."
  - Not evaluated - a packet dropped there still shows as accepted here - the prerouting hook
    (raw/mangle PREROUTING, firewalld's reverse-path filter), netdev ingress hooks and routing.
  - Only reads. Commands run are C(nft -j list ruleset), C(iptables -V), C(iptables-nft-save),
    C(ip6tables-nft-save), C(iptables-legacy-save) and C(ip6tables-legacy-save) (legacy only when the
    kernel already lists legacy tables), C(firewall-cmd --state), C(firewall-cmd --list-all),
    C(ufw status) and C(ufw status verbose).
  - On Windows the same options and result keys apply, with the backend C(windows) (Windows Defender
    Firewall); how it reads and decides is in the notes.
author:
  - webedge.https contributors (@webedge)
options:
  ports:
    description:
      - Ports to give a verdict for. Integers or ranges C("8000-8010") (each port of a range gets its
        own verdict; at most 1024 ports).
    type: list
    elements: raw
    default: []
  protocol:
    description: Transport protocol of the connection.
    type: str
    choices: [tcp, udp]
    default: tcp
  source:
    description:
      - Source address of the connection (one IPv4 or IPv6 address; only that family is evaluated).
      - Omitted, the connection comes from an address no rule names, in both families.
    type: str
  family:
    description: Address families to evaluate when O(source) is not given.
    type: str
    choices: [ipv4, ipv6, both]
    default: both
  interface:
    description:
      - Inbound interface of the connection (C(eth0)). Rules matching another interface do not apply.
      - On Windows, the InterfaceAlias of a connected network (V(Ethernet), V(vEthernet (Default Switch))); it
        also picks the profile of that network. Without it each connected network is evaluated in its profile.
    type: str
  zone:
    description:
      - firewalld zone to report and to read our rules from. Default is firewalld's default zone.
      - Not valid on Windows hosts (the task fails before anything runs).
    type: str
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.windows_dispatch
attributes:
  check_mode:
    support: full
    details: It only reads; check mode runs it the same way.
  diff_mode:
    support: none
  platform:
    details: >-
      Linux (reads the kernel's nftables/iptables rulesets); Windows through the action plugin and one
      PowerShell script (see the notes), not yet run against a real Windows host.
notes:
  - Needs root to read the rulesets.
  - "Windows: ONE read-only PowerShell script, the result computed on the controller. The script reads the ActiveStore
    (local rules merged with group policy): the three profiles (C(Get-NetFirewallProfile): Enabled,
    DefaultInboundAction, AllowInboundRules, AllowLocalFirewallRules), the connected networks and their profile
    (C(Get-NetConnectionProfile) NetworkCategory), every enabled inbound rule (C(Get-NetFirewallRule -Direction
    Inbound -Enabled True)) with its Action, Profile and PolicyStoreSource/PolicyStoreSourceType, and each kind of
    filter (port, address, application, service, interface, interface type, security) read once for the whole store
    and joined to the rules by InstanceID."
  - "Windows verdicts, per connected network in its profile: the profile's firewall off accepts; a matching block
    rule drops (block rules win over allow rules), unless an allow rule that overrides block rules (authenticated
    bypass) matches; else a matching allow rule accepts; else DefaultInboundAction decides (V(NotConfigured) is the
    built-in default, Block). AllowInboundRules V(False) leaves allow rules without effect; AllowLocalFirewallRules
    V(False) leaves local rules without effect. A rule from group policy is named with its policy in
    RV(verdicts[].ipv4.decided_by). When networks in different profiles disagree the verdict is C(unknown) with
    each answer; give O(interface) to decide."
  - "Windows, never guessed - C(unknown) with the rule in the reason whenever such a rule could change the answer:
    Program, Package, Service and LocalUser filters (which program receives the connection is not known from a port),
    IPsec conditions (authentication, encryption, remote users or machines, override block rules), RemoteAddress
    keywords (C(LocalSubnet), C(DefaultGateway), C(Internet)...), dynamic keywords, a LocalAddress, a RemotePort,
    LocalPort keywords (C(RPC), C(IPHTTPSIn)...), interface type filters and interface patterns. Built-in rules with a
    program and no port (an app allowed through the firewall) therefore make uncovered ports C(unknown) rather than
    C(drop). Edge traversal and other Windows Filtering Platform filters below the firewall are not evaluated."
  - "Windows: needs the NetSecurity and NetConnection modules (Windows Server 2012 or later). Async is not supported
    on Windows hosts."
seealso:
  - module: webedge.https.firewall_port
"""

EXAMPLES = r"""
- name: Would HTTPS from anywhere get through, over IPv4 and IPv6?
  webedge.https.firewall_info:
    ports: [443]
  register: fw

- name: Fail unless both families accept it
  ansible.builtin.assert:
    that: fw.verdicts[0].verdict == 'accept'
    fail_msg: "{{ fw.verdicts[0] }}"

- name: Would the monitoring host reach the metrics port on eth1?
  webedge.https.firewall_info:
    ports: ["9100"]
    source: 10.20.0.5
    interface: eth1

- name: On a Windows host, would HTTPS arriving on the network "Ethernet" get through?
  webedge.https.firewall_info:
    ports: [443]
    interface: Ethernet

- name: QUIC (HTTP/3) on UDP
  webedge.https.firewall_info:
    ports: [443]
    protocol: udp
"""

RETURN = r"""
backends:
  description: Every firewall backend, whether its tools are installed and whether it filters input.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(firewalld), C(ufw), C(nftables) or C(iptables); on Windows the only one, C(windows).
      type: str
    available:
      description: Its tools are installed.
      type: bool
    active:
      description: It filters input on this host.
      type: bool
    reason:
      description: The evidence, in one sentence.
      type: str
    variant:
      description: C(nft) or C(legacy) for iptables, else null.
      type: str
  sample:
    - {name: firewalld, available: true, active: true, reason: "firewalld is running (firewall-cmd --state)",
       variant: null}
active_backends:
  description: Names of the backends that filter input.
  returned: always
  type: list
  elements: str
  sample: [firewalld, nftables]
default_policy:
  description:
    - Policy of every input base chain, per family, lowest hook priority first.
    - On Windows one entry per profile (C(chain) is C(windows Public profile), C(policy) C(accept) when the
      firewall is off or DefaultInboundAction is Allow), with C(profile), C(enabled), C(default_inbound_action) as
      read and C(in_use) (a connected network uses it).
  returned: always
  type: dict
  contains:
    ipv4:
      description: Chains seen by IPv4 packets.
      type: list
      elements: dict
    ipv6:
      description: Chains seen by IPv6 packets.
      type: list
      elements: dict
  sample:
    ipv4:
      - {chain: nftables inet firewalld filter_INPUT, priority: 10, policy: accept}
firewalld:
  description: The firewalld zone (runtime) - its target, interfaces, sources, services, ports, rich rules.
  returned: always (null unless firewalld is running)
  type: dict
  sample:
    {zone: public, target: default, interfaces: [eth0], sources: [], services: [ssh], ports: [443/tcp],
     rich_rules: []}
ufw:
  description: ufw's status - C(active), C(default_incoming) (its default inbound policy), outgoing, routed, logging.
  returned: always (null unless ufw is installed)
  type: dict
  sample: {active: true, default_incoming: deny, default_outgoing: allow, default_routed: deny, logging: on (low)}
windows:
  description:
    - On Windows, the profiles in use, the connected networks (interface, name, category, profile) and how many
      enabled inbound rules were read, and how many come from group policy.
  returned: always on Windows hosts (absent on Linux hosts)
  type: dict
  sample:
    {profiles_in_use: [Public], networks: [{interface: Ethernet, name: Network 2, category: Public, profile: Public}],
     inbound_rules: 312, group_policy_rules: 4}
rules:
  description:
    - Per backend, the rules M(webedge.https.firewall_port) owns there, as that backend reads them back.
  returned: always
  type: dict
  sample: {nftables: [{family: ipv4, protocol: tcp, port: "443", source: null}]}
verdicts:
  description: One entry per port.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The port.
      type: int
    protocol:
      description: The protocol.
      type: str
    source:
      description: O(source), or null.
      type: str
    interface:
      description: O(interface), or null.
      type: str
    verdict:
      description: C(accept), C(drop), C(reject) or C(unknown) when the families agree, else C(mixed).
      type: str
    ipv4:
      description: The IPv4 verdict (absent when IPv4 was not evaluated).
      type: dict
      contains:
        verdict:
          description: C(accept), C(drop), C(reject) or C(unknown).
          type: str
        decided_by:
          description: The rule or chain policy that decides, with its chain.
          type: str
        reason:
          description: Why the verdict is C(unknown) (present only then).
          type: str
    ipv6:
      description: The IPv6 verdict, as RV(verdicts[].ipv4) (absent when IPv6 was not evaluated).
      type: dict
  sample:
    - port: 443
      protocol: tcp
      source: null
      interface: null
      verdict: accept
      ipv4: {verdict: accept, decided_by: "nftables inet filter input: rule 'tcp dport 443 accept' (handle 7)"}
      ipv6: {verdict: accept, decided_by: "nftables inet filter input: rule 'tcp dport 443 accept' (handle 7)"}
notes:
  description: Facts worth knowing (a ruleset that could not be read, a backend that failed).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import LocalFileStore
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import gather_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.specs.firewall_info import module_kwargs


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    try:
        result = gather_info(module.params, ModuleRunner(module), files=LocalFileStore())
    except FirewallError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
