"""Print a host's firewall state minus what webedge.https owns, for before/after comparison.

Usage: foreign_ruleset.py nftables|iptables|firewalld|ufw
Counters are dropped (they change with every packet); everything else is kept
byte for byte, so any change to a foreign rule, chain, set or table shows.
"""

import json
import re
import subprocess
import sys

MARK = "webedge.https"


def run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def nftables() -> str:
    out, skip_depth = [], 0
    for line in run("nft", "list", "ruleset").splitlines():
        if skip_depth == 0 and re.match(r"^table inet webedge_https \{", line):
            skip_depth = 1
            continue
        if skip_depth:
            skip_depth += line.count("{") - line.count("}")
            continue
        if MARK not in line:
            out.append(re.sub(r"counter packets \d+ bytes \d+ ?", "", line))
    return "\n".join(out)


def iptables() -> str:
    out = []
    for save in ("iptables-save", "ip6tables-save"):
        for line in run(save).splitlines():
            if line.startswith("#") or MARK in line or "WEBEDGE-HTTPS" in line:
                continue
            out.append(re.sub(r" \[\d+:\d+\]$", "", line))
    return "\n".join(out)


def firewalld() -> str:
    # firewalld has no comments: what we own is listed in our ownership file.
    try:
        with open("/var/lib/webedge-https/firewalld.json") as handle:
            zones = json.load(handle).get("zones", {})
    except FileNotFoundError:
        zones = {}
    ours = {entry.partition(" ")[2] for entries in zones.values() for entry in entries}
    out = []
    for text in (run("firewall-cmd", "--list-all-zones"), run("firewall-cmd", "--permanent", "--list-all-zones")):
        for line in text.splitlines():
            if line.strip() in ours:
                continue
            if line.strip().startswith("ports:"):
                words = [w for w in line.split()[1:] if w not in ours]
                line = line[: line.index("ports:") + 6] + (" " + " ".join(words) if words else "")
            out.append(line)
    return "\n".join(out)


def ufw() -> str:
    return "\n".join(line for line in run("ufw", "status", "verbose").splitlines() if MARK not in line)


if __name__ == "__main__":
    print({"nftables": nftables, "iptables": iptables, "firewalld": firewalld, "ufw": ufw}[sys.argv[1]]())
