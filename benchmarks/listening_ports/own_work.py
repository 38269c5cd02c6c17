# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's own work on the target, without Ansible: report.run() on every socket, best of 5.
Run with PYTHONPATH at a directory holding ansible_collections/webedge/https; prints one JSON line."""

import json
import time

from ansible_collections.webedge.https.plugins.module_utils.listening.report import parse_query, run

best, result = None, {}
for _ in range(5):
    started = time.perf_counter()
    result = run(parse_query({}))
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"best_s": best, "sockets": len(result["listening"])}))
