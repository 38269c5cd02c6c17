# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows hosts, driven from the controller: Ansible runs no Python there, so this code runs here.

* ``powershell.py``: one script in, one JSON line out (the runner over the task's connection,
  the script's input as base64 JSON, the shared prelude); ``answer.py`` reads the answers.
* ``firewall.py`` + ``firewall_ps.py``: the Windows Defender Firewall backend of ``firewall_port``
  (handed to the one orchestrator, ``module_utils/firewall/engine.py``) and its two scripts.
* ``firewall_info.py`` + ``firewall_verdict.py`` + ``firewall_info_ps.py``: ``firewall_info``.
* ``listening.py`` + ``listening_ps.py``: ``listening_ports`` (the Linux checks, a Windows reader).
"""
