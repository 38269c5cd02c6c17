"""Look for a private key's material in a command's output and in files (reliability scenario, controller side).

    key_leaks.py run KEY LOG -- ARGV...   run ARGV, its stdout and stderr into LOG; print {"rc": N}
    key_leaks.py scan KEY SINCE PATH...   look in LOG files and under directories (files changed at or
                                          after the epoch SINCE, 0: all; KEY itself skipped);
                                          print {"hits": [[path, kind], ...]}
    key_leaks.py needles KEY              print the material looked for, each reversed and in hex (JSON)
    key_leaks.py find NEEDLES SINCE PATH... scan with those (run on a host that has no copy of KEY: the command
                                          line, which Ansible may leave in a module file, holds no key text)

The material looked for: each base64 line of the PEM body, the DER in hex, and the base64 of the PEM text
and of the DER at each of the three byte alignments (a copy embedded in a larger base64 blob). Nothing of the
key itself is printed, only where and which kind.
"""

import base64
import json
import os
import subprocess
import sys
from typing import Iterator, List, Tuple


def needles(pem: bytes) -> List[Tuple[str, bytes]]:
    lines = [line.strip() for line in pem.splitlines() if line.strip() and not line.startswith(b"-----")]
    der = base64.b64decode(b"".join(lines))
    found = [("pem line", line) for line in lines if len(line) >= 16]
    found.append(("der hex", der.hex()[16:80].encode()))
    for name, blob in (("base64 of pem", pem), ("base64 of der", der)):
        for shift in range(3):
            encoded = base64.b64encode(blob[shift:])
            found.append((f"{name} +{shift}", encoded[8:56]))
    return found


def files_under(path: str, since: float) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            try:
                if os.path.isfile(full) and not os.path.islink(full) and os.stat(full).st_mtime >= since:
                    yield full
            except OSError:
                continue


def scan(wanted: List[Tuple[str, bytes]], since: float, paths: List[str], skip: str = "") -> List[List[str]]:
    hits = []
    for path in paths:
        for name in files_under(path, since):
            if skip and os.path.realpath(name) == os.path.realpath(skip):
                continue
            try:
                with open(name, "rb") as handle:
                    data = handle.read(50_000_000)
            except OSError:
                continue
            hits.extend([name, kind] for kind, needle in wanted if needle in data)
    return hits


def main(argv: List[str]) -> int:
    if argv[:1] == ["run"] and len(argv) > 4 and argv[3] == "--":
        with open(argv[2], "wb") as log:
            rc = subprocess.run(argv[4:], stdout=log, stderr=subprocess.STDOUT, check=False).returncode
        print(json.dumps({"rc": rc}))
        return 0
    if argv[:1] == ["scan"] and len(argv) > 3:
        with open(argv[1], "rb") as handle:
            wanted = needles(handle.read())
        print(json.dumps({"hits": scan(wanted, float(argv[2]), argv[3:], skip=argv[1])}))
        return 0
    if argv[:1] == ["needles"] and len(argv) == 2:
        with open(argv[1], "rb") as handle:
            print(json.dumps([[kind, needle[::-1].hex()] for kind, needle in needles(handle.read())]))
        return 0
    if argv[:1] == ["find"] and len(argv) > 3:
        wanted = [(kind, bytes.fromhex(text)[::-1]) for kind, text in json.loads(argv[1])]
        print(json.dumps({"hits": scan(wanted, float(argv[2]), argv[3:])}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
