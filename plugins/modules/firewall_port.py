#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: firewall_port
short_description: Open or close ports on nftables, iptables, firewalld, ufw or Windows Defender Firewall
version_added: 0.1.0
description:
  - Opens (or closes) a list of TCP or UDP ports, optionally only for some source networks, for IPv4,
    IPv6 or both, on whichever firewall actually filters input on the host.
  - One backend-neutral model of the rules; each backend reads the current state into it, plans the
    difference, applies it in one transaction where the firewall allows, and returns a structured diff.
  - Only rules this module created are ever changed. They are marked with the comment C(webedge.https)
    and live in a table or chain of their own (C(table inet webedge_https) for nftables,
    the chain C(WEBEDGE-HTTPS) for iptables). Nothing else is flushed, reordered or rewritten, so
    Docker's, fail2ban's and the administrator's rules stay as they are.
  - "nftables: every base chain on the input hook must accept a packet, so an accept in our own table
    alone opens nothing while another table's input chain drops by policy. The module therefore also
    places marked copies of its rules in every other input base chain that blocks (policy drop, or an
    unconditional drop/reject), just before the first unconditional drop/reject or at the end of the
    chain - never above conditional drops such as fail2ban bans or blocklists, which keep winning."
  - "iptables: a jump into C(WEBEDGE-HTTPS) is placed in C(INPUT) before its first unconditional
    C(DROP)/C(REJECT) (an accept after a catch-all C(REJECT) would never match), else at its end.
    Both C(iptables-nft) and C(iptables-legacy) are supported; the variant holding the rules is used."
  - The module refuses a change that would cut off the SSH connection it runs over (the port and client
    address from C(SSH_CONNECTION)) unless O(force=true).
  - "After the change (or, when nothing changes, on the rules in place) every port range opened is asked of the
    kernel's rulesets as M(webedge.https.firewall_info) asks them (first and last port, per family and source): an
    earlier foreign rule that still drops or rejects it - a catch-all C(REJECT) above our rules, a drop in another
    table's input chain - gives a warning naming that rule and RV(effective=false); a verdict that cannot be decided
    gives a warning and RV(effective=null). Not in check mode when the task changes something (the new rules are not
    there to ask), nor for O(state=closed), nor on Windows hosts (RV(effective) is V(null) there)."
  - "Windows hosts (Windows Defender Firewall): see the notes."
  - With O(confirm_timeout), a change that cuts the controller off anyway (another path, another port, a
    NAT in between) is undone by the host itself after that many seconds; see O(confirm_timeout).
options:
  port:
    description:
      - Ports to open or close. Integers or ranges C("8000-8080"); overlapping entries are merged.
    type: list
    elements: raw
    required: true
  protocol:
    description:
      - Transport protocol, or a list of them - V([tcp, udp]) opens 443/tcp and 443/udp (HTTP/3) in one task and
        one transaction. A single value works as before.
    type: list
    elements: str
    choices: [tcp, udp]
    default: [tcp]
  state:
    description:
      - V(open) makes sure the ports accept traffic (from O(source)). An existing rule of ours that
        already covers the request (a wider range, any source) counts as open.
      - V(closed) removes every rule of ours for these ports (and O(source), when given). Part of a
        range that was not asked to close stays open.
    type: str
    choices: [open, closed]
    default: open
  source:
    description:
      - Source addresses or CIDR networks allowed to connect. Empty means any source.
      - With O(family=both), IPv4 sources make IPv4 rules and IPv6 sources IPv6 rules.
    type: list
    elements: str
    default: []
  family:
    description: Address family of the rules. V(both) makes one rule per family.
    type: str
    choices: [ipv4, ipv6, both]
    default: both
  backend:
    description:
      - The firewall to manage. V(auto) picks the one that actually filters input (firewalld when it
        runs, ufw when active, nftables when an nftables input chain blocks, iptables - nft or legacy
        variant - when its filter table holds rules). RV(backend_reason) says why.
      - On a Windows host V(auto) means V(windows) (Windows Defender Firewall); any other value fails there,
        and V(windows) fails on a Linux host.
    type: str
    choices: [auto, nftables, iptables, firewalld, ufw, windows]
    default: auto
  zone:
    description:
      - firewalld zone (default zone when omitted). Ignored by the other Linux backends.
      - Fails on a Windows host (Windows Defender Firewall has profiles, not zones - see O(profiles)).
    type: str
  profiles:
    description:
      - Windows hosts only - the Windows Defender Firewall profiles (V(domain), V(private), V(public), any case; a
        comma-separated string works too, as for M(community.windows.win_firewall_rule)) in which O(state=open)
        opens the ports, or O(state=closed) closes them. Default - all three (the rule's Profile is C(Any)).
      - Each rule is open in a set of profiles; V(open) adds these profiles to it, V(closed) takes them away (a rule
        left with no profile is deleted), and the profiles not named keep what they had, so two tasks for two
        profiles do not undo each other. A rule whose set changes is re-created with the new set (RV(notes) says
        which); RV(diff) shows a rule's profiles when it is not open in all three.
      - Fails on a Linux host.
    type: list
    elements: str
    aliases: [profile]
  persist:
    description:
      - Make the change survive a reboot and a firewall reload.
      - "nftables: writes C(/etc/nftables.d/webedge-https.nft) and includes it once at the end of
        C(/etc/nftables.conf); it rebuilds our table and re-adds the copies in the foreign chains that
        C(/etc/nftables.conf) defines. The main file should start with C(flush ruleset) (Debian's
        default) and the C(nftables) service be enabled."
      - "iptables: updates only our lines in C(/etc/iptables/rules.v4) and C(rules.v6) (read by
        netfilter-persistent); a missing file is created from the current filter table."
      - "Windows: rules are always written to the PersistentStore (what the firewall loads at boot);
        V(false) fails there, because Microsoft documents no runtime-only store for new rules."
    type: bool
    default: true
  force:
    description: Allow a change that would cut off the SSH connection this task runs over.
    type: bool
    default: false
  confirm_timeout:
    description:
      - Seconds (5 to 3600) after which the host puts back the rules this module owned before the task,
        unless the controller confirms the change over a NEW connection first (protection against lockout).
      - "Before a change, the module saves what the revert needs under
        C(/var/lib/webedge-https/rollback/<id>/) (the rules owned before, a backup of each persisted
        file it writes) and arms a transient systemd timer C(webedge-https-rollback-<id>) with
        C(systemd-run --on-active). Then it applies the change. The action plugin resets the connection
        (for SSH, a new TCP connection: exactly what the new rules could block) and confirms (it runs
        the saved C(revert.py confirm) with M(ansible.builtin.command)), which stops the timer and removes
        the saved state."
      - "If the confirmation cannot reach the host, the timer reverts by itself: it plans, with the
        backend's own planner, the way back to exactly the rules owned before and applies it (runtime and,
        for firewalld, permanent configuration; ufw through C(ufw)), so rules that others changed
        meanwhile stay. A persisted file is restored byte for byte when nobody changed it since, else
        only our lines in it are reverted. The task waits for the revert, reconnects, and fails with
        RV(rolled_back=true)."
      - Works with every backend (nftables, iptables, firewalld, ufw). Needs systemd as the host's init
        (C(systemd-run)); without it the task fails before any change. A task that changes nothing arms
        nothing. In check mode nothing is armed; the result is only the prediction.
      - "Windows hosts: the same three steps. Just before the write, one script saves the rules of the group
        C(webedge.https) (as C(New-NetFirewallRule) takes them back) to
        C(%ProgramData%\\webedge.https\\rollback\\<id>.json), writes the revert script beside it and registers the
        scheduled task C(\\webedge.https\\rollback <id>) (SYSTEM, once, after that many seconds). The confirmation
        is a script sent over a new connection (WinRM and PSRP - a new shell and HTTP session; SSH - a new TCP
        connection): it unregisters the task and deletes the saved state. Unconfirmed, the task deletes the
        rules of the group and re-creates the saved ones (other groups are not touched), records what it did,
        and the task fails with RV(rolled_back=true). Needs the ScheduledTasks module (Windows Server 2012 or
        later)."
      - The check of the current SSH connection still applies; O(force=true) is still needed to remove
        the rule that connection uses.
    type: int
  rollback_id:
    description:
      - Name of the automatic rollback of O(confirm_timeout) (its state directory and timer unit). Letters,
        digits and dashes. The action plugin sets a fresh one (time stamp plus random digits) for every task;
        setting it is only useful to find the unit or the state on the host by a name of your own.
      - Ignored without O(confirm_timeout).
    type: str
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.windows_dispatch
attributes:
  action:
    details: The action plugin runs the module on Linux hosts, and the confirmation step of O(confirm_timeout) over a
      new connection; on Windows hosts it does the work itself with PowerShell over the task's connection.
  async:
    support: none
    details: A change must not outlive its task (nor its confirmation), on any host.
  check_mode:
    support: full
    details: Check mode reports exactly what a real run changes, with the commands it would run.
  diff_mode:
    support: full
    details: The diff lists the rules this module owns, before and after.
  platform:
    details: Linux as a module; on Windows the action plugin does the work over the connection with PowerShell
      (see the notes), not yet run against a real Windows host.
  safe_file_operations:
    support: none
    details: The persisted rule files (O(persist)) are written atomically (a temporary file beside them, then a
      rename) by the module's own code rather than Ansible's file functions; the new file gets its mode, not the
      old file's owner or SELinux context.
notes:
  - Only rules this module created are ever read back as "ours"; rules written by hand or by other
    tools are never changed, even when they open the same port.
  - "Commands a task runs on Linux (RV(commands) lists the writes): nftables reads once (C(nft -j list ruleset))
    and writes once (C(nft -f -), one transaction); iptables reads with C(iptables-save) per family and writes
    with one C(iptables-restore --noflush) per family; firewalld reads the runtime and the permanent zone
    (C(--state) and two C(--list-all)) and writes each layer in up to four C(firewall-cmd) calls, because
    firewall-cmd refuses to mix adding and removing ports and rich rules in one call (opening ports is one call
    per layer); ufw reads its rule files and C(ufw status) and writes all changes in one ufw process (one
    C(ufw) per change when ufw's library cannot be used)."
  - "Windows: the action plugin runs the same planner as on Linux with the Windows Defender Firewall backend: ONE
    PowerShell script reads the rules of the group C(webedge.https) (with their port and address filters) and the
    profiles in force, the plan is made in Python with the same model, and, unless in check mode, ONE more script
    adds and removes the rules; when a step of that script fails, it deletes what it added and re-creates what it
    removed, so the change is all or nothing. RV(commands) shows that script."
  - "Windows rules: one inbound allow rule per port range, protocol, family and source, in the group
    C(webedge.https), the profiles of O(profiles) (all three by default), PersistentStore, named (Name and
    DisplayName) C(webedge.https
    tcp/443 ipv4 from any) - the name is the identity, so a second run creates no duplicate. Windows rules
    are dual-stack: an IPv4-only rule from any source has RemoteAddress C(0.0.0.0-255.255.255.255), an
    IPv6-only one C(::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff); a rule with RemoteAddress C(Any) found in the
    group counts as open for both families. Rules of the group we cannot represent (disabled, block,
    keywords such as C(LocalSubnet)) are left alone and listed in RV(notes)."
  - "Windows lockout guard: the rule the task's connection uses (WinRM 5985/5986 or SSH, from the
    connection's port; the client from SSH_CONNECTION or the established TCP connections to that port)
    is not removed without O(force=true). Windows Defender Firewall lets block rules win over allow rules
    and group policy can ignore local rules; the second is reported in RV(notes), foreign block rules are
    not looked for."
  - "Windows: needs the NetSecurity module (Windows Server 2012 or later) and a connection user allowed to change
    the firewall."
seealso:
  - name: nftables wiki, Configuring chains (base chain priorities)
    description: Why an accept in one base chain does not override a drop in another.
    link: https://wiki.nftables.org/wiki-nftables/index.php/Configuring_chains
author:
  - webedge.https contributors (@webedge)
"""

EXAMPLES = r"""
- name: Open HTTPS (IPv4 and IPv6) on whatever firewall the host uses
  webedge.https.firewall_port:
    port: [443]

- name: Open a range for one network only, nftables explicitly, runtime only
  webedge.https.firewall_port:
    port: ["8000-8080"]
    source: [10.0.0.0/8, "2001:db8::/32"]
    backend: nftables
    persist: false

- name: Open HTTPS over TCP and QUIC (HTTP/3, 443/udp) in one task
  webedge.https.firewall_port:
    port: 443
    protocol: [tcp, udp]
  register: https_open

- name: Fail when an earlier rule of another tool still blocks what was opened
  ansible.builtin.assert:
    that: https_open.effective is not false
    fail_msg: "{{ https_open.warnings | default([]) }}"

- name: Close port 80 over UDP and TCP
  webedge.https.firewall_port:
    port: 80
    protocol: [tcp, udp]
    state: closed

- name: Open 443 in the firewalld zone "public"
  webedge.https.firewall_port:
    port: 443
    zone: public

- name: Move SSH to port 2222; the host undoes it by itself unless the controller gets back in within 60 s
  webedge.https.firewall_port:
    port: 2222
    confirm_timeout: 60
"""

RETURN = r"""
backend:
  description: The firewall that was managed.
  returned: success
  type: str
  sample: nftables
backend_reason:
  description: Why that backend was chosen (the evidence found on the host).
  returned: success
  type: str
  sample: "nftables input chain inet filter input blocks input (policy drop)"
rules:
  description: All rules this module owns after the task (or, in check mode, would own).
  returned: success
  type: list
  elements: dict
  sample: [{"family": "ipv4", "protocol": "tcp", "port": "443", "source": null}]
added:
  description: Rules added by this task.
  returned: success
  type: list
  elements: dict
removed:
  description: Rules removed by this task.
  returned: success
  type: list
  elements: dict
commands:
  description:
    - The commands run (in check mode, the commands a real run would run), in order, each with its
      argv and the script given on stdin.
  returned: success
  type: list
  elements: dict
  sample: [{"argv": ["nft", "-f", "-"], "stdin": "add table inet webedge_https\n..."}]
files:
  description: Persistence files written (or, in check mode, that would be written).
  returned: success
  type: list
  elements: str
  sample: [/etc/nftables.d/webedge-https.nft]
notes:
  description: Facts worth knowing, such as foreign chains that also received our rules.
  returned: success
  type: list
  elements: str
diff:
  description: Before and after text of the rules this module owns, one rule per line.
  returned: success
  type: dict
effective:
  description:
    - Whether every port range asked to be open really admits new connections now (see the description) -
      V(false) when an earlier foreign rule still drops or rejects one, V(null) when a verdict cannot be decided or
      it was not asked (check mode with changes, O(state=closed), Windows).
  returned: success
  type: bool
  sample: true
blocked:
  description:
    - The ports asked to be open that the firewall still does not admit, each with the rule's keys (family,
      protocol, port, source), the verdict and the rule or policy that decides (or the reason it cannot be told).
  returned: success
  type: list
  elements: dict
  sample: [{"family": "ipv4", "protocol": "tcp", "port": 443, "source": null, "verdict": "reject",
            "decided_by": "iptables filter INPUT: rule '-A INPUT -j REJECT --reject-with icmp-port-unreachable'"}]
rollback_id:
  description:
    - Id of the automatic rollback armed for this change (state under C(/var/lib/webedge-https/rollback/); on
      Windows C(%ProgramData%\webedge.https\rollback\)).
  returned: when O(confirm_timeout) is set and the task changed something
  type: str
  sample: 20240101T120000-1a2b3c4d
confirmed:
  description: The change was confirmed over a new connection; the automatic rollback was disarmed.
  returned: when O(confirm_timeout) is set and the task changed something
  type: bool
rolled_back:
  description:
    - The new rules cut the controller off and the host restored the previous rules by itself (the task fails).
  returned: when O(confirm_timeout) is set and the task changed something
  type: bool
rollback:
  description: What the host's automatic rollback did (commands, files, notes, seconds after arming).
  returned: when the rollback ran
  type: dict
rollback_task:
  description: Windows hosts - the scheduled task that reverts the change unless it is confirmed.
  returned: when O(confirm_timeout) is set, the task changed something and the host is Windows
  type: str
  sample: \webedge.https\rollback 20240101T120000-1a2b3c4d
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.firewall import engine, rollback
from ansible_collections.webedge.https.plugins.module_utils.firewall.effect import check_effect
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.specs.firewall_port import module_kwargs


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    runner = ModuleRunner(module)
    params = module.params
    try:
        guard = None
        if params["confirm_timeout"] is not None:
            timeout = rollback.check_timeout(params["confirm_timeout"])
            rollback_id = rollback.check_id(params["rollback_id"] or rollback.new_id())
            if not module.check_mode:
                guard = rollback.RollbackGuard(rollback_id, timeout, runner)
        result = engine.run(
            params,
            runner,
            check_mode=module.check_mode,
            ssh_connection=os.environ.get("SSH_CONNECTION"),
            guard=guard,
            effect=check_effect,
            lock_path=engine.LOCK_PATH,
        )
    except FirewallError as exc:
        module.fail_json(msg=str(exc))
    warnings = result.pop("warnings", [])
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
