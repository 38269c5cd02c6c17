#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: listening_ports
short_description: Report and assert which sockets listen on a host, and which process owns each
version_added: 0.1.0
description:
  - Reports the listening TCP sockets and the bound, unconnected UDP sockets of a Linux or Windows host, with
    the process holding each one, and checks a list of expected listeners, failing with a message that names
    what was expected and what listens instead.
  - On Linux, reads the kernel's socket tables directly (C(/proc/net/tcp), C(tcp6), C(udp), C(udp6)) and the
    owning processes from C(/proc/<pid>/fd), C(comm), C(cmdline) and C(status); needs no C(ss),
    C(netstat), C(lsof) or C(ps) on the host.
  - A TCP socket listens when its state is LISTEN. A UDP socket counts as listening when it is bound and
    not connected.
  - The owner of a socket held by several processes (a pre-forking server and its workers) is the one
    with the lowest pid. Without the right to read a process's C(/proc/<pid>/fd) (not root; or root in a
    container without C(CAP_SYS_PTRACE)), or for a socket held by a process in another PID namespace, the
    owner is unknown - RV(listening[].pid) is V(null) and
    RV(owner_unknown_reason) says why.
  - Each owning process is described once, in RV(processes) (by pid, with its command line), not in every
    socket it holds - a pre-forking server's thousands of sockets name one process.
  - "Dual-stack: C(/proc/net) does not show a socket's own C(IPV6_V6ONLY) option. An IPv6 wildcard
    (V(::)) socket is taken to accept IPv4 as well (RV(listening[].dual_stack=true)) when the network
    namespace default C(net.ipv6.bindv6only) is V(0) - except a TCP V(::) socket sharing its port with an
    IPv4 TCP listener, which the kernel would only allow for an IPv6-only socket (nginx's
    C(listen [::]:443) next to C(listen 443)). A program that sets C(IPV6_V6ONLY) itself on a V(::) socket
    with no IPv4 listener beside it is therefore reported as dual-stack."
  - Expectations are checked against every listening socket of their protocol; O(ports) and
    O(protocols) only shape RV(listening).
  - On Windows the same options, checks, messages and result keys apply; what Windows reports differently
    is in the notes.
author:
  - webedge.https contributors (@webedge)
options:
  ports:
    description:
      - Report only sockets on these ports. Each item is a port (V(443)) or an inclusive range
        (V("8000-8080")). Empty means every port.
    type: list
    elements: raw
    default: []
  protocols:
    description:
      - Report only sockets of these protocols.
    type: list
    elements: str
    choices: [tcp, udp]
    default: [tcp, udp]
  expect:
    description:
      - Listeners that must exist. Each is met by a listening socket on its port and protocol that
        accepts connections for its O(expect[].address) or O(expect[].family) and is owned by its
        O(expect[].process); all three are optional.
      - The entries met are returned in RV(matched); the others in RV(missing), each with a message.
    type: list
    elements: dict
    default: []
    suboptions:
      port:
        description:
          - The port, V(1) to V(65535).
        type: raw
        required: true
      protocol:
        description:
          - The protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
      process:
        description:
          - The process that must own the socket, compared with the process name (C(comm), at most 15
            characters, for example V(nginx), V(sshd), V(apache2)) and with the program name of its command
            line.
          - On Windows, compared with the process name without C(.exe) (V(nginx), V(svchost), V(System)) and
            with the program's file name (V(nginx.exe)); the comparison is case-sensitive, as on Linux.
          - A socket whose owner is unknown does not meet an expectation with a process.
        type: str
      address:
        description:
          - An address the listener must accept connections for, IPv4 or IPv6 (V(::1) or V([::1])).
          - A specific address X is met by a socket bound to X, or by a wildcard socket of X's family
            (V(0.0.0.0), or V(::) for IPv6; for IPv4 also a dual-stack V(::)), since a wildcard socket
            accepts connections for every address of the host. Whether X is an address of the host is
            not checked.
          - A wildcard (V(0.0.0.0) or V(::)) is met only by a wildcard socket - V(0.0.0.0) by an IPv4 one or
            a dual-stack V(::).
          - An IPv4-mapped address (V(::ffff:192.0.2.1)) means its IPv4 address; an IPv6 socket bound to an
            IPv4-mapped address meets expectations for that IPv4 address.
        type: str
      family:
        description:
          - The address family the listener must accept. V(ipv4) is met by an IPv4 socket, an IPv6
            socket bound to an IPv4-mapped address or a dual-stack V(::) socket; V(ipv6) by any other
            IPv6 socket.
          - Must agree with O(expect[].address) when both are given.
        type: str
        choices: [ipv4, ipv6]
      state:
        description:
          - V(present) - something must listen as described. V(absent) - nothing may listen on the port and
            protocol as described (address, family and process narrow what counts; a listener whose owner is
            unknown counts, since it may be the process); the message names what listens there.
        type: str
        choices: [present, absent]
        default: present
      allow_loopback:
        description:
          - With O(expect[].state=absent), a listener bound only to a loopback address (C(127.0.0.0/8), C(::1))
            does not count - "must not listen on a non-loopback address".
        type: bool
        default: false
  fail_on_missing:
    description:
      - Fail when an expectation is not met. With V(false) the task succeeds and RV(missing) lists them.
    type: bool
    default: true
  fact_name:
    description:
      - Also return RV(listening) as a host fact of this name (letters, digits, underscores).
      - Not set means no fact.
    type: str
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.windows_dispatch
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode runs it the same way.
  diff_mode:
    support: none
  facts:
    support: full
    details: Only when O(fact_name) is set.
  platform:
    details: >-
      Linux (reads C(/proc)); Windows through the action plugin and one PowerShell script (see the notes),
      not yet run against a real Windows host.
notes:
  - The module never changes anything; RV(ignore:changed) is always V(false).
  - Run it with C(become) to see the owners of every socket.
  - "Windows: ONE PowerShell script reads the listeners (C(Get-NetTCPConnection -State Listen),
    C(Get-NetUDPEndpoint)) and the owning processes' names, command lines and users (C(Get-Process) and
    C(Get-CimInstance Win32_Process)); the result is built on the controller with the same checks as on Linux."
  - "Windows differences: the owning pid comes from Windows for every socket (pid 0, which Windows uses when it
    has none, is an unknown owner). Ports served through HTTP.sys (IIS, WinRM on 5985/5986) belong to the
    V(System) process, pid 4. RV(listening[].user) is C(DOMAIN\\user) and RV(processes) gives the
    command line; both are V(null) where the connection's user may not read them (another user's process
    without an elevated connection, protected processes), with a warning when the connection is not elevated.
    Windows' UDP table has no remote address, so every bound UDP endpoint is reported. RV(bindv6only) is
    always V(null)."
  - "Windows dual-stack: an IPv6 socket is IPv6-only unless its program turns C(IPV6_V6ONLY) off, and the
    listener tables do not show that option. RV(listening[].dual_stack) is therefore always V(false) on
    Windows, and an IPv4 expectation is met only by a listener Windows reports with an IPv4 address (the
    message says so when a V(::) listener is on the port). Microsoft's networking blog says a dual-mode socket
    opens an endpoint in both stacks; whether the tables list the IPv4 one is not documented."
  - "Windows: needs the NetTCPIP module (Windows Server 2012 or later). Async is not supported on Windows hosts."
seealso:
  - module: community.general.listen_ports_facts
  - module: ansible.builtin.wait_for
"""

EXAMPLES = r"""
- name: Assert that nginx serves 443 on IPv4 and IPv6 and that SSH listens
  webedge.https.listening_ports:
    expect:
      - port: 443
        process: nginx
        family: ipv4
      - port: 443
        process: nginx
        family: ipv6
      - port: 22
  become: true

- name: Assert HTTPS on every IPv4 address (a 127.0.0.1-only listener fails)
  webedge.https.listening_ports:
    ports: [443]
    expect:
      - port: 443
        address: 0.0.0.0

- name: Report web and DNS ports without failing, keeping the list as a fact
  webedge.https.listening_ports:
    ports: [53, 80, 443, "8000-8999"]
    expect:
      - port: 53
        protocol: udp
    fail_on_missing: false
    fact_name: web_listeners
  register: ports_report

- name: On a Windows host, assert that IIS (HTTP.sys, so the System process) serves HTTPS on IPv4
  webedge.https.listening_ports:
    expect:
      - port: 443
        process: System
        family: ipv4

- name: Redis must not listen beyond loopback, and nothing on the old admin port
  webedge.https.listening_ports:
    expect:
      - port: 6379
        state: absent
        allow_loopback: true
      - port: 8443
        state: absent

- name: Show what is missing
  ansible.builtin.debug:
    msg: "{{ ports_report.missing | map(attribute='message') | list }}"
"""

RETURN = r"""
listening:
  description:
    - The listening sockets selected by O(ports) and O(protocols), sorted by protocol, port, family,
      address (and socket, for several on one address).
  returned: always
  type: list
  elements: dict
  contains:
    protocol:
      description: V(tcp) or V(udp).
      type: str
      sample: tcp
    family:
      description:
        - V(ipv4) or V(ipv6), the kind of socket (an IPv6 socket may accept IPv4, see RV(listening[].dual_stack)).
      type: str
      sample: ipv4
    address:
      description: The local address, V(0.0.0.0) or V(::) for a wildcard; IPv6 without brackets.
      type: str
      sample: 0.0.0.0
    port:
      description: The local port.
      type: int
      sample: 443
    dual_stack:
      description: >-
        Whether this IPv6 wildcard (V(::)) socket accepts IPv4 too (see the module description); always
        V(false) on Windows (see the notes).
      type: bool
      sample: false
    pid:
      description: The lowest pid holding the socket (on Windows, its owning process); V(null) when unknown.
      type: int
      sample: 812
    process:
      description: The process name (C(comm)); V(null) when unknown.
      type: str
      sample: nginx
    user:
      description:
        - The owning process's effective user name; when the owner is unknown, the user owning the socket
          in the kernel's table. A uid without a name is given as a number in a string.
      type: str
      sample: root
    unit:
      description:
        - The systemd unit the owning process runs in (its cgroup); for a socket systemd holds for socket
          activation (PID 1), the service its C(.socket) unit activates. V(null) when unknown or on Windows.
      type: str
      sample: nginx.service
    container:
      description:
        - The container the socket belongs to (podman's conmon or a process inside the container, Docker's
          C(docker-proxy) or shim), by name (its short id when the engine's records do not name it); V(null) when
          none.
      type: str
      sample: web
processes:
  description:
    - The owning processes of the sockets in RV(listening) and RV(matched), each once, by pid (a string, as JSON
      object keys are).
    - Version 0.x moved the command line here from every entry of RV(listening) (a breaking change).
  returned: always
  type: dict
  sample: {"812": {"process": "nginx", "user": "root", "cmdline": "nginx: master process /usr/sbin/nginx"}}
  contains:
    process:
      description: The process name (C(comm)); V(null) when unknown.
      type: str
    user:
      description: The process's effective user name (Windows - C(DOMAIN\\user)); V(null) when unknown.
      type: str
    cmdline:
      description: The command line, arguments joined by spaces; V(null) when unknown.
      type: str
owner_unknown_reason:
  description:
    - Why the owner of some socket (RV(listening[].pid) V(null), or a pid with no process found) could not be
      seen, each distinct reason once (joined by C(; )); V(null) when every owner was seen.
    - Version 0.x moved it here from every entry of RV(listening) (a breaking change).
  returned: always
  type: str
  sample: null
matched:
  description: The O(expect) entries met, each with the listening sockets meeting it.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The expected port.
      type: int
    protocol:
      description: The expected protocol.
      type: str
    process:
      description: The expected process, or V(null).
      type: str
    address:
      description: The expected address, normalised (an IPv4-mapped address as IPv4), or V(null).
      type: str
    family:
      description: The expected family, or V(null).
      type: str
    state:
      description: V(present), or V(absent) (must not listen).
      type: str
    allow_loopback:
      description: Whether a loopback-only listener is allowed (O(expect[].state=absent)).
      type: bool
    listening:
      description: The sockets meeting the expectation, as in RV(listening).
      type: list
      elements: dict
  sample:
    - {port: 443, protocol: tcp, process: nginx, address: null, family: ipv4, listening: []}
missing:
  description: The O(expect) entries not met, each with a message naming what listens instead.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The expected port.
      type: int
    protocol:
      description: The expected protocol.
      type: str
    process:
      description: The expected process, or V(null).
      type: str
    address:
      description: The expected address, normalised, or V(null).
      type: str
    family:
      description: The expected family, or V(null).
      type: str
    state:
      description: V(present), or V(absent) (must not listen).
      type: str
    allow_loopback:
      description: Whether a loopback-only listener is allowed (O(expect[].state=absent)).
      type: bool
    message:
      description: What was expected and what is there instead.
      type: str
      sample: "443/tcp is listening on 127.0.0.1 only (nginx, pid 812), expected 0.0.0.0"
bindv6only:
  description: The network namespace's C(net.ipv6.bindv6only); V(null) when the kernel has no IPv6, and on Windows.
  returned: always
  type: bool
  sample: false
ansible_facts:
  description: RV(listening) under the name given in O(fact_name).
  returned: when O(fact_name) is set
  type: dict
  sample: {web_listeners: []}
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.listening.report import QueryError, parse_query, run
from ansible_collections.webedge.https.plugins.module_utils.specs.listening_ports import module_kwargs

PROC_ROOT = "/proc"


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    try:
        query = parse_query(module.params)
    except QueryError as exc:
        module.fail_json(msg=str(exc))
    if not os.path.exists(os.path.join(PROC_ROOT, "net", "tcp")):
        module.fail_json(msg=f"no {PROC_ROOT}/net/tcp here: listening_ports reads Linux's /proc ({platform.system()})")
    runner = ModuleRunner(module)
    result = run(query, PROC_ROOT, lambda argv: runner.run(list(argv)))
    if query.fact_name:
        result["ansible_facts"] = {query.fact_name: result["listening"]}
    if result["missing"] and query.fail_on_missing:
        module.fail_json(changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
