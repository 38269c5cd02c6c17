# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewalld through ``firewall-cmd``: ``parse`` (list-all and our ownership file) and ``backend``."""
