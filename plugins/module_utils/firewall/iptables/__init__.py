# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables (nft and legacy): ``parse`` reads ``iptables-save`` once for both ``backend`` and ``verdict``."""
