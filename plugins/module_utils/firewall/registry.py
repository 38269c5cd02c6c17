# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which firewall backends a kind of host has, by name: the one table everything looks names up in.

The orchestrator (``engine.run``), ``firewall_info`` (``info.gather_info``) and the automatic
rollback (``rollback.revert``) all take their backend classes from a :class:`Registry`.
:data:`LINUX` lists the Linux backends; the Windows Defender Firewall backend runs on the
controller and has its own registry (``plugin_utils/windows/firewall.py``).

The order of ``backends`` is the order ``backend: auto`` asks them (``detect.py``): a front-end
that manages the kernel rules itself (firewalld, ufw) comes before the raw layer it writes to
(nftables, iptables), because changing the raw layer underneath it would be undone on its next
reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Type

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import FirewallBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.backend import FirewalldBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import IptablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.backend import NftablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.backend import UfwBackend

__all__ = ["LINUX", "Registry"]


@dataclass(frozen=True)
class Registry:
    """The firewall backends of one kind of host.

    Attributes:
        backends: name -> class, in the order ``backend: auto`` probes them.
        elsewhere: what a request for any other backend is told (``{backend}``: its name).
    """

    backends: Mapping[str, Type[FirewallBackend]]
    elsewhere: str = "backend {backend!r} is not available in this version of webedge.https"

    def get(self, name: str) -> Optional[Type[FirewallBackend]]:
        return self.backends.get(name)

    def refusal(self, name: str) -> str:
        return self.elsewhere.format(backend=name)


LINUX = Registry(
    {
        FirewalldBackend.name: FirewalldBackend,
        UfwBackend.name: UfwBackend,
        NftablesBackend.name: NftablesBackend,
        IptablesBackend.name: IptablesBackend,
    },
    elsewhere=(
        "backend {backend!r} manages Windows Defender Firewall and needs a Windows host "
        "(a PowerShell connection); use auto, nftables, iptables, firewalld or ufw here"
    ),
)
