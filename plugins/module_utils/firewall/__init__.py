# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall engine: one neutral model (model.py), one contract (backend.py), one file per backend.

Flow (engine.run): validate params -> pick the backend (detect.py) -> read -> plan -> lockout check ->
apply (unless check mode) -> structured result with diff and the exact commands.
"""
