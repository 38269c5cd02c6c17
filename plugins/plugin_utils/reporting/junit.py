# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JUnit XML: a testsuite per host, a testcase per control and target.

``fail`` becomes ``<failure>``, ``error`` ``<error>`` (the control could not be decided),
``skip`` ``<skipped>``; the failure ``type`` is the severity. Built with ElementTree, so
markup in messages is escaped; characters XML 1.0 cannot carry are replaced. Valid against the
Jenkins JUnit schema (junit-10.xsd, checked in the ecosystem stage of ``make test``), which allows
``skipped`` on ``testsuite`` but not on ``testsuites``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Mapping

from ansible_collections.webedge.https.plugins.plugin_utils.reporting._text import plain, xml_safe

__all__ = ["render_junit"]


def _detail(result: Mapping[str, Any]) -> str:
    lines = [f"[{result['severity']}] {result['control']} {result['title']}", f"target: {result['target']}"]
    lines.append(f"message: {result['message']}")
    if result.get("observed") is not None:
        lines.append(f"observed: {plain(result['observed'])}")
    if result.get("expected") is not None:
        lines.append(f"expected: {plain(result['expected'])}")
    return "\n".join(lines)


def render_junit(report: Mapping[str, Any]) -> str:
    summary = report["summary"]["counts"]
    root = ET.Element(
        "testsuites",
        {
            "name": "webedge.https compliance",
            "tests": str(report["summary"]["results"]),
            "failures": str(summary["fail"]),
            "errors": str(summary["error"]),
            "time": "0",
        },
    )
    for host in report["hosts"]:
        counts = host["counts"]
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": xml_safe(host["name"]),
                "tests": str(len(host["results"])),
                "failures": str(counts["fail"]),
                "errors": str(counts["error"]),
                "skipped": str(counts["skip"]),
                "time": "0",
                "timestamp": report["generated_at"].rstrip("Z"),
                "hostname": xml_safe(host["name"]),
            },
        )
        props = ET.SubElement(suite, "properties")
        for key in ("profile", "profile_version"):
            if host.get(key):
                ET.SubElement(props, "property", {"name": key, "value": xml_safe(host[key])})
        ET.SubElement(props, "property", {"name": "fail_on", "value": report["fail_on"]})
        for result in host["results"]:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "name": xml_safe(f"{result['control']} {result['title']} [{result['target']}]"),
                    "classname": xml_safe(f"webedge.https.{host['name']}"),
                    "time": "0",
                },
            )
            status = result["status"]
            attrs = {"message": xml_safe(result["message"]), "type": result["severity"]}
            if status == "fail":
                ET.SubElement(case, "failure", attrs).text = xml_safe(_detail(result))
            elif status == "error":
                ET.SubElement(case, "error", attrs).text = xml_safe(_detail(result))
            elif status == "skip":
                ET.SubElement(case, "skipped", {"message": xml_safe(result["message"])})
            else:
                ET.SubElement(case, "system-out").text = xml_safe(result["message"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
