# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw: ``parse`` (its rule files and status), ``backend``, and ``batch`` (many commands in one ufw process)."""
