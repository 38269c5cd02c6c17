# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall engine (runs on the target; the Windows backend lives in ``plugin_utils/windows``).

Shared pieces, each importing only those listed before it:

* ``model.py``: the neutral model (``Rule``, ``DesiredState``, ``plan_rules``).
* ``backend.py``: the contract every backend fulfils (``FirewallBackend``, ``Plan``, runners, files).
* ``lockout.py``: the one lockout check (never remove the rule the task's connection needs).
* ``verdict.py``: the verdict logic the evaluators share (``Packet``, ``Verdict``, three-valued matches).
* one package per Linux dialect - ``nftables/``, ``iptables/``, ``firewalld/``, ``ufw/`` - each with
  its ONE parser (``parse.py``), its backend (``backend.py``) and, for the kernel's rulesets, its
  verdict evaluator (``verdict.py``).
* ``registry.py``: which backends a kind of host has (``LINUX``), in ``backend: auto`` order;
  ``detect.py``: picking one.
* ``engine.py``: the one orchestrator of ``firewall_port`` - params -> backend -> read -> plan ->
  lockout check -> apply (unless check mode) -> result; ``rollback.py``: ``confirm_timeout``.
* ``info.py``: ``firewall_info`` on Linux (backends, policies, our rules, verdicts).
"""
