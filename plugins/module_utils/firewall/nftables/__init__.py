# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nftables: ``parse`` reads ``nft -j list ruleset`` once, for ``backend`` and for ``verdict``."""
