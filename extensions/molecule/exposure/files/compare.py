"""Compare exposure_info with nmap for every lab target: the agreement table, and an exit status.

Usage: compare.py RESULTS.json OUT.md
RESULTS.json: {"<host>": {"backend": str, "audit_seconds": {"ipv4": s, "ipv6": s},
                          "exposure": {"ipv4": <exposure_info result, source = the scanner's IPv4>,
                                       "ipv6": <..., the scanner's IPv6>, "any": <... no source>},
                          "nmap": {"ipv4": <nmap -oX text>, "ipv6": <nmap -oX text>},
                          "nmap_again": {"ipv4": <nmap -oX text>, ...}}}  (the slow second scan, optional)
Sets of (protocol, family, port): exposure_info's exposed set (every family exposed: yes) against nmap's
open set (state "open"; nmap's open|filtered is not open). nmap's open set is what either of its scans saw
open: the second, slow scan asks only about the ports exposure_info calls exposed (a UDP answer lost in
the full scan reads as open|filtered), and an open state needs the target's answer, so it cannot be made
up by asking twice. They must be equal on every target, and every
exposure "unknown" must say why. Prints the table (Markdown, also written to OUT.md); exit 1 on a mismatch.
"""

import json
import sys
from xml.etree import ElementTree


def exposed(result, family):
    found, unknown = set(), []
    for entry in result["exposure"]:
        fam = entry["families"].get(family)
        if fam is None:
            continue
        key = (entry["protocol"], family, entry["port"])
        if fam["exposed"] == "yes":
            found.add(key)
        elif fam["exposed"] == "unknown":
            unknown.append((key, fam["reason"]))
    return found, unknown


def nmap_open(xml_text, family):
    root = ElementTree.fromstring(xml_text)
    found, seconds = set(), None
    for host in root.iter("host"):
        start, end = host.get("starttime"), host.get("endtime")
        if start and end:
            seconds = int(end) - int(start)
        for port in host.iter("port"):
            state = port.find("state")
            if state is not None and state.get("state") == "open":
                found.add((port.get("protocol"), family, int(port.get("portid"))))
    elapsed = root.find("runstats/finished")
    if elapsed is not None and elapsed.get("elapsed"):
        seconds = float(elapsed.get("elapsed"))
    return found, seconds


def label(items):
    return ", ".join(f"{p}/{proto}" for proto, _fam, p in sorted(items, key=lambda k: (k[2], k[0]))) or "-"


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        results = json.load(handle)
    lines = [
        "| target | backend | family | exposure_info exposed | nmap open | seen open only when asked again "
        "| agree | unknown (reason) | audit s | nmap s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    failures = []
    for host in sorted(results):
        item = results[host]
        for family in ("ipv4", "ipv6"):
            ours, unknown = exposed(item["exposure"][family], family)
            theirs, seconds = nmap_open(item["nmap"][family], family)
            again_xml = item.get("nmap_again", {}).get(family)
            again = nmap_open(again_xml, family)[0] if again_xml else set()
            first = set(theirs)
            theirs |= again
            agree = ours == theirs and all(reason for _k, reason in unknown)
            any_source, _u = exposed(item["exposure"]["any"], family)
            if not agree:
                failures.append(
                    f"{host} {family}: exposure_info {label(ours)} / nmap {label(theirs)} / unknown {unknown}"
                )
            if any_source != ours:
                failures.append(f"{host} {family}: from any source {label(any_source)}, from the scanner {label(ours)}")
            unknown_text = "; ".join(f"{label([k])} ({reason})" for k, reason in unknown) or "-"
            lines.append(
                f"| {host} | {item['backend']} | {family} | {label(ours)} | {label(theirs)} | {label(again - first)} | "
                f"{'yes' if agree else 'NO'} | {unknown_text} | {item['audit_seconds'][family]:.2f} | {seconds} |"
            )
    text = "\n".join(lines) + "\n"
    if failures:
        text += "\nMismatches:\n" + "".join(f"- {f}\n" for f in failures)
    print(text)
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        handle.write(text)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
