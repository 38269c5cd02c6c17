# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``exposure_info``: what a new connection from a source can really reach on this host.

* ``request.py``: the options, validated before any work (source network, allow-list...).
* ``routes.py``: the routing table (``ip -j route``): local addresses, the inbound interface a
  source arrives on, the interface a DNATed packet leaves through.
* ``evaluate.py``: the join, platform-neutral - every listening socket (``listening/``) with the
  verdict of a ``decide(packet)`` function, per family; the result and its summaries.
* ``linux.py``: the Linux run - listeners from ``/proc``, rulesets read as ``firewall_info`` reads
  them, the whole path in (``firewall/path.py``: prerouting DNAT, then input or forward).

Windows: ``plugin_utils/windows/exposure.py`` (controller side) feeds the same ``evaluate.py``.
"""
