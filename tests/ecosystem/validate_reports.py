# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check report folders written by compliance_report the way their consumers read them.

Usage: validate_reports.py --multitool BIN --xsd FILE [--source-root DIR] [--kind KIND]
                           [--results any|none|some] DIR [DIR ...]

For each DIR (compliance.sarif, compliance-junit.xml, compliance.json):
- sarif-multitool: Microsoft's SARIF multitool ``validate --rule-kind Sarif;Gh`` (the SARIF rules and
  GitHub code scanning's ingestion rules): no error and no warning;
- github-placement: what the multitool does not check and code scanning needs to place a result: a
  location per result whose URI is a relative reference (no scheme, no leading slash) with a
  ``region.startLine``, a ``primaryLocationLineHash`` unique per result; with --source-root, the file
  exists under it and, for a host found in an inventory, the region's text is the host's name;
  with --kind, every result's host was located that way;
- counts: SARIF results = JUnit failure and error elements = failing and undecided JSON results
  (and --results none|some: whether there are any);
- junit-schema: compliance-junit.xml validates against FILE (the Jenkins junit-10.xsd) with xmlschema.
Prints one line per check and a closing "N passed, N failed"; exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from typing import Any, Dict, List
from urllib.parse import unquote

import xmlschema

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def multitool_problems(multitool: str, sarif: str) -> List[str]:
    """Errors and warnings of ``sarif-multitool validate --rule-kind Sarif;Gh`` on one file."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "validation.sarif")
        # argv, no shell: the npm wrapper's shell would split the "Sarif;Gh" list.
        run = subprocess.run(
            [multitool, "validate", "--rule-kind", "Sarif;Gh", "--level", "Error;Warning", "-o", out, sarif],
            capture_output=True,
            text=True,
            check=False,
            env=dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1"),
        )
        if run.returncode != 0 or not os.path.exists(out):
            return [f"multitool exited {run.returncode}: {(run.stdout + run.stderr).strip()[-2000:]}"]
        with open(out, encoding="utf-8-sig") as handle:
            log = json.load(handle)
    problems = []
    for result in (r for run_ in log.get("runs", []) for r in run_.get("results", [])):
        if result.get("level", "warning") in ("error", "warning"):
            message = result.get("message", {})
            text = message.get("text") or " ".join(map(str, message.get("arguments", [])))
            problems.append(f"{result.get('level', 'warning')} {result.get('ruleId')}: {text}")
    for run_ in log.get("runs", []):
        for invocation in run_.get("invocations", []):
            for note in invocation.get("toolExecutionNotifications", []) + invocation.get(
                "toolConfigurationNotifications", []
            ):
                if note.get("level", "warning") in ("error", "warning"):
                    problems.append(f"tool notification: {note['message'].get('text')}")
    return problems


def placement_problems(log: Dict[str, Any], source_root: str, kind: str) -> List[str]:
    problems: List[str] = []
    hashes = set()
    for i, result in enumerate(log["runs"][0]["results"]):
        where = f"results[{i}] ({result.get('ruleId')} on {result.get('properties', {}).get('host')})"
        locations = result.get("locations") or []
        if not locations or "physicalLocation" not in locations[0]:
            problems.append(f"{where}: no physical location")
            continue
        physical = locations[0]["physicalLocation"]
        uri = physical.get("artifactLocation", {}).get("uri", "")
        if not uri or SCHEME.match(uri) or uri.startswith("/"):
            problems.append(f"{where}: location {uri!r} is not a relative reference to a file of the repository")
        region = physical.get("region") or {}
        if not isinstance(region.get("startLine"), int) or region["startLine"] < 1:
            problems.append(f"{where}: no region.startLine")
        line_hash = result.get("partialFingerprints", {}).get("primaryLocationLineHash")
        if not line_hash or line_hash in hashes:
            problems.append(f"{where}: primaryLocationLineHash missing or not unique ({line_hash!r})")
        hashes.add(line_hash)
        source_kind = result.get("properties", {}).get("source_kind")
        if kind and source_kind != kind:
            problems.append(f"{where}: host located by {source_kind!r}, expected {kind!r}")
        if source_root and source_kind != "none" and uri and not SCHEME.match(uri):
            path = os.path.join(source_root, unquote(uri))
            if not os.path.isfile(path):
                problems.append(f"{where}: {uri} is not a file under {source_root}")
            elif source_kind == "inventory" and region.get("startColumn"):
                with open(path, encoding="utf-8") as handle:
                    line = handle.read().splitlines()[region["startLine"] - 1]
                text = line[region["startColumn"] - 1 : region["endColumn"] - 1].strip("'\"")
                host = result["properties"]["host"]
                if text != host and not (text.split(":")[0] == host or "[" in text):
                    problems.append(f"{where}: region text {text!r} of {uri}:{region['startLine']} is not {host!r}")
    return problems


def check_dir(args: argparse.Namespace, directory: str, schema: xmlschema.XMLSchema) -> List[tuple]:
    sarif_path = os.path.join(directory, "compliance.sarif")
    junit_path = os.path.join(directory, "compliance-junit.xml")
    with open(os.path.join(directory, "compliance.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    with open(sarif_path, encoding="utf-8") as handle:
        log = json.load(handle)
    checks = [("sarif-multitool", multitool_problems(args.multitool, sarif_path))]
    checks.append(("github-placement", placement_problems(log, args.source_root, args.kind)))

    failing = report["summary"]["counts"]["fail"] + report["summary"]["counts"]["error"]
    root = ET.parse(junit_path).getroot()
    junit_failing = len(root.findall(".//testcase/failure")) + len(root.findall(".//testcase/error"))
    sarif_results = len(log["runs"][0]["results"])
    count_problems = []
    if not sarif_results == junit_failing == failing:
        count_problems.append(f"SARIF {sarif_results} results, JUnit {junit_failing} failures, JSON {failing} failing")
    if args.results == "none" and failing:
        count_problems.append(f"{failing} failing results, expected none")
    if args.results == "some" and not failing:
        count_problems.append("no failing result, expected some")
    checks.append(("counts", count_problems))
    checks.append(("junit-schema", [f"{e.reason} at {e.path}" for e in schema.iter_errors(junit_path)]))
    return [(f"{directory}: {name}", problems) for name, problems in checks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--multitool", required=True)
    parser.add_argument("--xsd", required=True)
    parser.add_argument("--source-root", default="")
    parser.add_argument("--kind", default="", help="every result's host must be located this way")
    parser.add_argument("--results", choices=["any", "none", "some"], default="any")
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()
    schema = xmlschema.XMLSchema(args.xsd)
    passed = failed = 0
    for directory in args.dirs:
        for name, problems in check_dir(args, directory, schema):
            if problems:
                failed += 1
                print(f"FAIL {name}")
                for problem in problems[:20]:
                    print(f"     {problem}")
            else:
                passed += 1
                print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
