#!/usr/bin/env python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# WANT_JSON
"""Benchmark helper (not part of the collection): print the JSON result stored at ``path``, or
ping's result when ``path`` is empty. Timing it with a big and a small result measures what Ansible's
controller pays to carry a result of that size, without any work on the target."""

import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    path = json.load(handle).get("path") or ""
if path:
    with open(path, encoding="utf-8") as handle:
        sys.stdout.write(handle.read())
else:
    sys.stdout.write(json.dumps({"changed": False, "ping": "pong"}))
