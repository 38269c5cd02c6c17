from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Detection, FirewallBackend


class IptablesBackend(FirewallBackend):
    name = "iptables"

    @classmethod
    def probe(cls, runner):
        return Detection(cls.name, False, "stub", available=False)
