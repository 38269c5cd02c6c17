# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare our tls_probe with testssl.sh and sslyze on the compliance lab's endpoints.

Every endpoint of ``extensions/molecule/compliance/vars/lab.yml`` (one fault each, plus the right
one) is scanned by three parties:

* ours: ``webedge.https.tls_probe``'s probe (with the controller's certificate reader, as in-process
  probes have) and ``evaluate_endpoint`` (imported from this
  checkout), one call for every endpoint, each target with its own plain-HTTP port;
* testssl.sh (``testssl``), restricted to the checks that map to our controls
  (``-p -S -h -s``), one process per endpoint, several at a time;
* sslyze, all endpoints in one invocation (``NAME:PORT{IP}``).

Each scanner's JSON is mapped to our control IDs (see ``testssl_verdicts`` and
``sslyze_verdicts``); a control a scanner does not check is left out for it. Where a scanner
reports an observation but no judgement (sslyze's accepted TLS 1.2 suites, testssl's Server
banner), the observation is judged with our rule and the cell says so in the JSON
(``derived``). The result is a Markdown and a JSON table; the exit status is 1 when our verdict
disagrees with a scanner's on any control both check, 2 when ``--check-expected`` is given and
the controls we fail on an endpoint differ from the lab's ``expect`` list, 3 for usage errors.

Traffic goes only to the addresses given on the command line (lab containers); names under
the lab domain are sent as SNI and Host but never resolved (testssl runs with ``--nodns none``).

Usage:
  compare_scanners.py --good-address 10.89.42.14 --faults-address 10.89.42.15 \
      --ca-file CA.crt --out-dir DIR [--jobs 6] [--check-expected] [--reuse]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Tuple

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LAB = os.path.join(REPO, "extensions", "molecule", "compliance", "vars", "lab.yml")
DEFAULT_SSLYZE = os.path.join(REPO, ".venv-judges", "bin", "sslyze")

# Controls in table order.
CONTROLS = (
    "TLS-01",
    "TLS-02",
    "TLS-03",
    "TLS-04",
    "TLS-05",
    "TLS-06",
    "TLS-07",
    "TLS-08",
    "TLS-09",
    "TLS-10",
    "TLS-11",
    "TLS-12",
    "TLS-13",
    "TLS-14",
    "HTTP-01",
    "HTTP-02",
    "HTTP-03",
)

Verdict = Dict[str, Any]  # {"status": pass|fail|skip, "detail": str, "derived": bool}


def _collection_import_path() -> str:
    """A directory with ansible_collections/webedge/https -> this checkout, for imports."""
    env = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
    for root in env.split(os.pathsep):
        link = os.path.join(root, "ansible_collections", "webedge", "https")
        if root and os.path.realpath(link) == os.path.realpath(REPO):
            return root
    parent = os.path.dirname(REPO)
    if os.path.basename(parent) == "webedge" and os.path.basename(os.path.dirname(parent)) == "ansible_collections":
        return os.path.dirname(os.path.dirname(parent))
    tmp = tempfile.mkdtemp(prefix="webedge-collections-")
    os.makedirs(os.path.join(tmp, "ansible_collections", "webedge"))
    os.symlink(REPO, os.path.join(tmp, "ansible_collections", "webedge", "https"))
    return tmp


sys.path.insert(0, _collection_import_path())

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import probe_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import parse_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    HSTS_MIN_AGE_ACCEPTED,
    get_profile,
    is_forward_secret,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import (
    CryptographyCertificateReader,
)

_VERSION = re.compile(r"\d+(\.\d+)+|/\s*\d")


def verdict(status: str, detail: str = "", derived: bool = False) -> Verdict:
    return {"status": status, "detail": detail, "derived": derived}


# --- the lab --------------------------------------------------------------------------------


def load_endpoints(lab_file: str, good_address: str, faults_address: str) -> List[Dict[str, Any]]:
    with open(lab_file, encoding="utf-8") as handle:
        lab = yaml.safe_load(handle)
    domain = lab["lab_domain"]
    good = lab["lab_good"]
    endpoints = [
        {
            "name": good["name"],
            "server_name": f"{good['name']}.{domain}",
            "address": good_address,
            "port": int(good["port"]),
            "http_port": int(good.get("http_port", 80)),
            "fault": "none (the right one)",
            "expect": [],
        }
    ]
    for fault in lab["lab_faults"]:
        endpoints.append(
            {
                "name": fault["name"],
                "server_name": f"{fault['name']}.{domain}",
                "address": faults_address,
                "port": int(fault["port"]),
                "http_port": int(fault.get("http_port", 80)),
                "fault": fault["fault"],
                "expect": list(fault.get("expect", [])),
            }
        )
    return endpoints


def label(endpoint: Dict[str, Any]) -> str:
    return f"{endpoint['server_name']}:{endpoint['port']}"


# --- ours -----------------------------------------------------------------------------------


def run_ours(endpoints: List[Dict[str, Any]], ca_file: str, profile_name: str) -> Tuple[Dict[str, Any], float]:
    """Probe results with findings, keyed by label: one probe of every endpoint, each with its http_port."""
    profile = get_profile(profile_name)
    started = time.monotonic()
    targets = parse_targets(
        [
            {"host": e["server_name"], "port": e["port"], "address": e["address"], "http_port": e["http_port"]}
            for e in endpoints
        ]
    )
    results: Dict[str, Any] = {}
    for endpoint, report in zip(
        endpoints, probe_targets(targets, ca_file=ca_file, timeout=5.0, reader=CryptographyCertificateReader())
    ):
        result = report.result
        result["findings"] = {k: v.to_dict() for k, v in evaluate_endpoint(result, profile).items()}
        results[label(endpoint)] = result
    return results, time.monotonic() - started


def ours_verdicts(result: Dict[str, Any]) -> Dict[str, Verdict]:
    return {cid: verdict(f["status"], f["message"]) for cid, f in result["findings"].items()}


# --- testssl.sh -----------------------------------------------------------------------------


def testssl_command(testssl: str, endpoint: Dict[str, Any], ca_file: str, json_file: str) -> List[str]:
    return [
        testssl,
        "--quiet",
        "--warnings",
        "off",
        "--color",
        "0",
        "--nodns",
        "none",
        "--add-ca",
        ca_file,
        "--jsonfile-pretty",
        json_file,
        "-p",
        "-S",
        "-h",
        "-s",
        "--ip",
        endpoint["address"],
        label(endpoint),
    ]


def run_testssl(
    testssl: str, endpoints: List[Dict[str, Any]], ca_file: str, out_dir: str, jobs: int, reuse: bool
) -> Tuple[Dict[str, Any], float]:
    started = time.monotonic()

    def one(endpoint: Dict[str, Any]) -> Tuple[str, Any]:
        path = os.path.join(out_dir, f"testssl-{endpoint['name']}.json")
        if not (reuse and os.path.exists(path)):
            if os.path.exists(path):
                os.unlink(path)
            subprocess.run(
                testssl_command(testssl, endpoint, ca_file, path),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=900,
                check=False,
            )
        try:
            with open(path, encoding="utf-8") as handle:
                return label(endpoint), json.load(handle)
        except (OSError, ValueError) as exc:
            return label(endpoint), {"error": f"no JSON from testssl: {exc}"}

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = dict(pool.map(one, endpoints))
    return results, time.monotonic() - started


def _testssl_findings(doc: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    found: Dict[str, Dict[str, Any]] = {}
    for scan in doc.get("scanResult", []):
        for items in scan.values():
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, dict) and "id" in item:
                        found.setdefault(item["id"], item)
    return found


def _offered(finding: Optional[Dict[str, Any]]) -> Optional[bool]:
    if not finding:
        return None
    text = str(finding.get("finding", "")).strip().lower()
    if text.startswith("not offered") or " not offered" in text:
        return False
    # an SSLv3-only server that alerts instead of answering with SSLv3 (testssl words the refusal so)
    if text.startswith("connection failed rather than downgrading"):
        return False
    if text.startswith("offered"):
        return True
    if text.startswith("vulnerable with"):  # SSLv2 offered: "vulnerable with N ciphers" (DROWN)
        return True
    return None


def testssl_verdicts(doc: Dict[str, Any], endpoint: Dict[str, Any], profile_name: str) -> Dict[str, Verdict]:
    """testssl ids -> our controls."""
    if "error" in doc:
        return {}
    profile = get_profile(profile_name)
    f = _testssl_findings(doc)
    out: Dict[str, Verdict] = {}
    for cid, tid, proto in (
        ("TLS-01", "SSLv2", "SSLv2"),
        ("TLS-02", "SSLv3", "SSLv3"),
        ("TLS-03", "TLS1", "TLSv1"),
        ("TLS-04", "TLS1_1", "TLSv1.1"),
    ):
        offered = _offered(f.get(tid))
        if offered is not None:
            bad = offered and not profile.offers(proto)
            out[cid] = verdict("fail" if bad else "pass", f"{tid}: {f[tid]['finding']}")
    offered = _offered(f.get("TLS1_2"))
    if offered is not None:
        out["TLS-05"] = verdict(
            "pass" if offered == profile.offers("TLSv1.2") else "fail", f"TLS1_2: {f['TLS1_2']['finding']}"
        )
    offered = _offered(f.get("TLS1_3"))
    if offered is not None:
        out["TLS-06"] = verdict("pass" if offered else "fail", f"TLS1_3: {f['TLS1_3']['finding']}")
    weak = (
        "cipherlist_NULL",
        "cipherlist_aNULL",
        "cipherlist_EXPORT",
        "cipherlist_LOW",
        "cipherlist_3DES_IDEA",
        "cipherlist_AVERAGE",
    )
    seen = [tid for tid in weak if tid in f]
    if seen:
        offered_weak = [tid for tid in seen if _offered(f[tid])]
        out["TLS-07"] = verdict(
            "fail" if offered_weak else "pass",
            ("offered: " + ", ".join(offered_weak)) if offered_weak else "no NULL/EXPORT/LOW/3DES/CBC (AVERAGE) suites",
        )
    chain = f.get("cert_chain_of_trust")
    if chain:
        ok = str(chain.get("severity")) in ("OK", "INFO") and "passed" in str(chain.get("finding", "")).lower()
        out["TLS-08"] = verdict("pass" if ok else "fail", f"cert_chain_of_trust: {chain['finding']}")
    trust = f.get("cert_trust")
    if trust:
        text = str(trust.get("finding", ""))
        ok = text.lower().startswith("ok")
        out["TLS-09"] = verdict("pass" if ok else "fail", f"cert_trust: {text}")
    expiry = f.get("cert_expirationStatus")
    if expiry:
        text = str(expiry.get("finding", ""))
        out["TLS-10"] = verdict("fail" if "expired" in text.lower() else "pass", f"cert_expirationStatus: {text}")
    key, sig = f.get("cert_keySize"), f.get("cert_signatureAlgorithm")
    if key and sig:
        ok = key.get("severity") in ("OK", "INFO") and sig.get("severity") in ("OK", "INFO")
        out["TLS-11"] = verdict(
            "pass" if ok else "fail", f"cert_keySize: {key['finding']}; cert_signatureAlgorithm: {sig['finding']}"
        )
    if chain and "incomplete" in str(chain.get("finding", "")).lower():
        out["TLS-12"] = verdict("fail", f"cert_chain_of_trust: {chain['finding']}")
    period = f.get("cert_validityPeriod")
    if period:
        text = str(period.get("finding", ""))
        out["TLS-14"] = verdict(
            "pass" if text.lower().startswith("no finding") else "fail", f"cert_validityPeriod: {text}"
        )
    hsts = f.get("HSTS_time") or f.get("HSTS")
    if hsts:
        text = str(hsts.get("finding", ""))
        match = re.search(r"=(\d+) seconds", text)
        if match:
            age = int(match.group(1))
            ok = age >= HSTS_MIN_AGE_ACCEPTED
            out["HTTP-01"] = verdict("pass" if ok else "fail", f"{hsts['id']}: {text}")
        elif "not offered" in text.lower() or hsts.get("severity") in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
            out["HTTP-01"] = verdict("fail", f"{hsts['id']}: {text}")
    banner = f.get("banner_server")
    if banner:
        text = str(banner.get("finding", ""))
        has_version = bool(_VERSION.search(text)) and "no server banner" not in text.lower()
        out["HTTP-03"] = verdict("fail" if has_version else "pass", f"banner_server: {text}", derived=True)
    return out


# --- sslyze ---------------------------------------------------------------------------------


def run_sslyze(
    sslyze: str, endpoints: List[Dict[str, Any]], ca_file: str, out_dir: str, reuse: bool
) -> Tuple[Dict[str, Any], float]:
    path = os.path.join(out_dir, "sslyze.json")
    started = time.monotonic()
    if not (reuse and os.path.exists(path)):
        command = [
            sslyze,
            "--quiet",
            "--sslv2",
            "--sslv3",
            "--tlsv1",
            "--tlsv1_1",
            "--tlsv1_2",
            "--tlsv1_3",
            "--certinfo",
            "--certinfo_ca_file",
            ca_file,
            "--http_headers",
            "--json_out",
            path,
        ] + [f"{label(e)}{{{e['address']}}}" for e in endpoints]
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900, check=False)
    elapsed = time.monotonic() - started
    results: Dict[str, Any] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return results, elapsed
    for server in doc.get("server_scan_results", []):
        location = server["server_location"]
        results[f"{location['hostname']}:{location['port']}"] = server
    return results, elapsed


def _accepted(scan_result: Dict[str, Any], key: str) -> Optional[List[str]]:
    attempt = scan_result.get(key) or {}
    if attempt.get("status") != "COMPLETED" or not attempt.get("result"):
        return None
    return [c["cipher_suite"]["name"] for c in attempt["result"].get("accepted_cipher_suites", [])]


def _name_matches(name: str, pattern: str) -> bool:
    name, pattern = name.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _dot, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return name == pattern


def sslyze_verdicts(server: Dict[str, Any], endpoint: Dict[str, Any], profile_name: str) -> Dict[str, Verdict]:
    """sslyze's JSON -> our controls."""
    if not server or server.get("scan_status") != "COMPLETED" or not server.get("scan_result"):
        return {}
    profile = get_profile(profile_name)
    result = server["scan_result"]
    out: Dict[str, Verdict] = {}
    for cid, key, proto in (
        ("TLS-01", "ssl_2_0_cipher_suites", "SSLv2"),
        ("TLS-02", "ssl_3_0_cipher_suites", "SSLv3"),
        ("TLS-03", "tls_1_0_cipher_suites", "TLSv1"),
        ("TLS-04", "tls_1_1_cipher_suites", "TLSv1.1"),
    ):
        accepted = _accepted(result, key)
        if accepted is not None:
            bad = bool(accepted) and not profile.offers(proto)
            out[cid] = verdict("fail" if bad else "pass", f"{key}: {len(accepted)} accepted")
    tls12 = _accepted(result, "tls_1_2_cipher_suites")
    tls13 = _accepted(result, "tls_1_3_cipher_suites")
    if tls12 is not None:
        out["TLS-05"] = verdict(
            "pass" if bool(tls12) == profile.offers("TLSv1.2") else "fail",
            f"tls_1_2_cipher_suites: {len(tls12)} accepted",
        )
        allowed = set(profile.allowed_ciphers_iana())
        outside = [name for name in tls12 if name not in allowed or not is_forward_secret(name)]
        judged = f"{len(tls12)} suites"
        if not tls12 and not tls13:
            # Neither TLS 1.2 nor 1.3: our rule judges the suite a client negotiates, i.e. one of the
            # highest legacy version's (an SSLv3-only server's RC4/CBC suites).
            for key in ("tls_1_1_cipher_suites", "tls_1_0_cipher_suites", "ssl_3_0_cipher_suites"):
                legacy = _accepted(result, key)
                if legacy:
                    outside = [name for name in legacy if name not in allowed]
                    judged = f"{key}: {len(legacy)} suites"
                    break
        out["TLS-07"] = verdict(
            "fail" if outside else "pass",
            ("outside the profile or without FS: " + ", ".join(outside)) if outside else f"{judged}, all in profile",
            derived=True,
        )
    if tls13 is not None:
        out["TLS-06"] = verdict("pass" if tls13 else "fail", f"tls_1_3_cipher_suites: {len(tls13)} accepted")

    certinfo = (result.get("certificate_info") or {}).get("result")
    if certinfo and certinfo.get("certificate_deployments"):
        deployment = certinfo["certificate_deployments"][0]
        chain = deployment.get("received_certificate_chain") or []
        custom = [
            pv
            for pv in deployment.get("path_validation_results", [])
            if "supplied" in pv["trust_store"]["name"].lower()
        ]
        leaf = chain[0] if chain else None
        if custom:
            pv = custom[0]
            error = str(pv.get("validation_error") or "")
            if pv["was_validation_successful"]:
                out["TLS-08"] = verdict("pass", "path validation with the supplied CA file succeeded")
                out["TLS-09"] = verdict("pass", "path validation (which includes the name) succeeded")
            elif "subjectaltname" in error.lower():
                out["TLS-09"] = verdict("fail", error.split(" (encountered", maxsplit=1)[0])
            else:
                out["TLS-08"] = verdict("fail", error.split(" (encountered", maxsplit=1)[0])
        if leaf and "TLS-09" not in out:
            names = (leaf.get("subject_alternative_name") or {}).get("dns_names") or []
            ok = any(_name_matches(endpoint["server_name"], n) for n in names)
            out["TLS-09"] = verdict("pass" if ok else "fail", f"SAN dNSNames: {', '.join(names)}", derived=True)
        if leaf:
            not_after = datetime.datetime.fromisoformat(leaf["not_valid_after"].replace("Z", "+00:00"))
            not_before = datetime.datetime.fromisoformat(leaf["not_valid_before"].replace("Z", "+00:00"))
            now = datetime.datetime.now(datetime.timezone.utc)
            valid = not_before <= now < not_after
            out["TLS-10"] = verdict(
                "pass" if valid else "fail", f"not_valid_after {leaf['not_valid_after']}", derived=True
            )
            key = leaf.get("public_key") or {}
            algorithm, size, curve = key.get("algorithm"), key.get("key_size"), key.get("ec_curve_name")
            signature = (leaf.get("signature_algorithm_oid") or {}).get("name", "")
            ok_key = (algorithm == "RSAPublicKey" and (size or 0) >= profile.min_rsa_key_size) or (
                (algorithm == "EllipticCurvePublicKey" or algorithm == "ECPublicKey")
                and curve in ("secp256r1", "secp384r1")
            )
            ok_sig = signature in profile.certificate_signatures
            out["TLS-11"] = verdict(
                "pass" if ok_key and ok_sig else "fail", f"{algorithm} {size} {curve or ''}, {signature}", derived=True
            )
            days = (not_after - not_before).total_seconds() / 86400
            out["TLS-14"] = verdict(
                "pass" if days <= profile.max_certificate_lifespan else "fail",
                f"lifespan {days:.0f} days",
                derived=True,
            )
            self_signed = leaf.get("subject", {}).get("rfc4514_string") == leaf.get("issuer", {}).get("rfc4514_string")
            if deployment.get("verified_certificate_chain"):
                out["TLS-12"] = verdict("pass", f"{len(chain)} certificate(s) served, verified chain built from them")
            elif not self_signed and len(chain) == 1:
                out["TLS-12"] = verdict("fail", "only the leaf served", derived=True)
    headers = (result.get("http_headers") or {}).get("result")
    if headers is not None and not headers.get("http_error_trace"):
        hsts = headers.get("strict_transport_security_header")
        if hsts is None:
            out["HTTP-01"] = verdict("fail", "no Strict-Transport-Security header")
        else:
            age = hsts.get("max_age")
            ok = isinstance(age, int) and age >= profile.hsts_max_age
            if isinstance(age, int) and HSTS_MIN_AGE_ACCEPTED <= age < profile.hsts_max_age:
                ok = False
            out["HTTP-01"] = verdict("pass" if ok else "fail", f"max_age={age}")
    return out


# --- comparison -----------------------------------------------------------------------------


def compare(
    endpoints: List[Dict[str, Any]],
    ours: Dict[str, Any],
    testssl: Dict[str, Any],
    sslyze: Dict[str, Any],
    profile: str,
) -> Dict[str, Any]:
    rows: List[Dict[str, Any]] = []
    disagreements: List[Dict[str, Any]] = []
    unexpected: List[Dict[str, Any]] = []
    per_control: Dict[str, Dict[str, int]] = {
        cid: {"testssl_compared": 0, "testssl_agree": 0, "sslyze_compared": 0, "sslyze_agree": 0} for cid in CONTROLS
    }
    for endpoint in endpoints:
        key = label(endpoint)
        our = ours_verdicts(ours[key]) if key in ours else {}
        judges = {
            "testssl": testssl_verdicts(testssl.get(key, {"error": "not run"}), endpoint, profile),
            "sslyze": sslyze_verdicts(sslyze.get(key, {}), endpoint, profile),
        }
        failing = sorted(cid for cid, v in our.items() if v["status"] in ("fail", "error"))
        if sorted(endpoint["expect"]) != failing:
            unexpected.append({"endpoint": key, "expected": sorted(endpoint["expect"]), "ours": failing})
        for cid in CONTROLS:
            mine = our.get(cid, verdict("error", "no finding"))
            row = {"endpoint": key, "fault": endpoint["fault"], "control": cid, "ours": mine}
            for judge, verdicts in judges.items():
                theirs = verdicts.get(cid)
                row[judge] = theirs
                if theirs is None or theirs["status"] not in ("pass", "fail"):
                    continue
                per_control[cid][f"{judge}_compared"] += 1
                if theirs["status"] == mine["status"]:
                    per_control[cid][f"{judge}_agree"] += 1
                else:
                    disagreements.append(
                        {
                            "endpoint": key,
                            "control": cid,
                            "judge": judge,
                            "ours": mine["status"],
                            "theirs": theirs["status"],
                            "our_detail": mine["detail"],
                            "their_detail": theirs["detail"],
                        }
                    )
            rows.append(row)
    return {"rows": rows, "disagreements": disagreements, "unexpected": unexpected, "per_control": per_control}


MAPPING = (
    (
        "TLS-01..04",
        '`SSLv2`, `SSLv3`, `TLS1`, `TLS1_1`: finding starts with "offered" (SSLv2 also "vulnerable with N ciphers")',
        "`ssl_2_0` .. `tls_1_1_cipher_suites`: any accepted suite",
    ),
    ("TLS-05, TLS-06", "`TLS1_2`, `TLS1_3` offered", "`tls_1_2`, `tls_1_3_cipher_suites` accepted"),
    (
        "TLS-07",
        "`cipherlist_NULL/aNULL/EXPORT/LOW/3DES_IDEA/AVERAGE` offered",
        "accepted TLS 1.2 suites judged by the profile list and forward secrecy (without TLS 1.2 and 1.3: "
        "the highest legacy version's suites, by the profile list)*",
    ),
    (
        "TLS-08",
        '`cert_chain_of_trust` "passed" (with `--add-ca`)',
        "path validation against `--certinfo_ca_file` (a SAN mismatch counts for TLS-09 only)",
    ),
    ("TLS-09", '`cert_trust` starts with "Ok"', "path validation, else the leaf's SAN dNSNames*"),
    ("TLS-10", '`cert_expirationStatus` not "expired"', "leaf `not_valid_before/after`*"),
    ("TLS-11", "`cert_keySize` and `cert_signatureAlgorithm` severity OK", "leaf key, curve and signature*"),
    (
        "TLS-12",
        '`cert_chain_of_trust` "chain incomplete"',
        "verified chain built from the served certificates, else leaf only served*",
    ),
    ("TLS-13", "not checked", "not checked (sslyze lists the server's curves, not the negotiated group)"),
    ("TLS-14", '`cert_validityPeriod` "No finding"', "leaf lifespan*"),
    (
        "HTTP-01",
        '`HSTS_time` seconds >= 15768000, or "not offered"',
        "`strict_transport_security_header.max_age` >= profile",
    ),
    ("HTTP-02", "not checked", "not checked"),
    ("HTTP-03", "`banner_server` judged for a version*", "not checked"),
)


def _cell(v: Optional[Verdict]) -> str:
    if v is None:
        return "-"
    text = v["status"].upper() if v["status"] == "fail" else v["status"]
    return f"{text}*" if v.get("derived") else text


def render_markdown(report: Dict[str, Any]) -> str:
    lines = [
        "# Scanner comparison: tls_probe vs testssl.sh vs sslyze",
        "",
        f"Generated by `tools/compare_scanners.py` on {report['generated']} against the compliance lab",
        "(`extensions/molecule/compliance/vars/lab.yml`): one endpoint per fault (nginx, or the",
        "pure-Python SSLv3/SSLv2 server), plus the right one;",
        f"profile `{report['profile']}` {report['profile_version']}.",
        f"Versions: {report['versions']['testssl']}; sslyze {report['versions']['sslyze']}.",
        "",
        "`FAIL`/`pass`: the verdict; `-`: the scanner does not check this control; `*`: the scanner",
        "reports the observation (accepted suites, dates, key, SAN, Server banner) and our rule judged it.",
        "",
        "## Every endpoint: the controls that fail anywhere",
        "",
        "| endpoint | fault | control | ours | testssl.sh | sslyze | agree |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        cells = [row["ours"], row.get("testssl"), row.get("sslyze")]
        if not any(c and c["status"] in ("fail", "error") for c in cells):
            continue
        decided = [c for c in cells[1:] if c and c["status"] in ("pass", "fail")]
        agree = "yes" if all(c["status"] == row["ours"]["status"] for c in decided) else "**NO**"
        lines.append(
            f"| {row['endpoint']} | {row['fault']} | {row['control']} | {_cell(row['ours'])} | "
            f"{_cell(row.get('testssl'))} | {_cell(row.get('sslyze'))} | {agree} |"
        )
    lines += [
        "",
        "Every other (endpoint, control) pair passes with all three, or is not checked by a scanner.",
        "",
        "## Per control: verdicts compared and agreeing (all endpoints)",
        "",
        "| control | testssl.sh agree / compared | sslyze agree / compared |",
        "|---|---|---|",
    ]
    for cid in CONTROLS:
        c = report["per_control"][cid]
        t = f"{c['testssl_agree']} / {c['testssl_compared']}" if c["testssl_compared"] else "not checked"
        s = f"{c['sslyze_agree']} / {c['sslyze_compared']}" if c["sslyze_compared"] else "not checked"
        lines.append(f"| {cid} | {t} | {s} |")
    lines += [
        "",
        "## How the scanners' output maps to our controls",
        "",
        "| control | testssl.sh (`-p -S -h -s`, JSON id) | sslyze (JSON) |",
        "|---|---|---|",
    ]
    lines += [f"| {cid} | {t} | {s} |" for cid, t, s in MAPPING]
    lines += ["", "## Result", ""]
    if report["disagreements"]:
        lines.append(f"{len(report['disagreements'])} disagreement(s):")
        lines.append("")
        for d in report["disagreements"]:
            lines.append(
                f"- {d['endpoint']} {d['control']}: ours {d['ours']} ({d['our_detail']}), "
                f"{d['judge']} {d['theirs']} ({d['their_detail']})"
            )
    else:
        lines.append("No disagreement: on every control both sides check, our verdict equals the scanner's.")
    if report["unexpected"]:
        lines.append("")
        lines.append("Endpoints whose failing controls differ from the lab's `expect`:")
        for u in report["unexpected"]:
            lines.append(f"- {u['endpoint']}: expected {u['expected']}, ours {u['ours']}")
    else:
        lines.append("Each faulty endpoint fails exactly the controls of its fault; the right one fails none.")
    t = report["timings"]
    lines += [
        "",
        f"Wall time here: ours {t['ours']:.1f} s for {report['endpoint_count']} endpoints, "
        f"testssl.sh {t['testssl']:.1f} s ({report['jobs']} in parallel, restricted to -p -S -h -s), "
        f"sslyze {t['sslyze']:.1f} s (one invocation)"
        + (
            "; the scanners' times are those of the run that wrote their JSON (reused here)."
            if report.get("reused")
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def _version(command: List[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False).stdout
    except OSError:
        return "unknown"
    match = re.search(r"testssl\.sh\s+(\S+)", out) or re.search(r"(\d+\.\d+\.\d+)", out)
    return (
        ("testssl.sh " + match.group(1))
        if match and "testssl" in command[0]
        else (match.group(1) if match else "unknown")
    )


def contained(*addresses: str) -> bool:
    """The lab containment guard (lab/containment.py) for the addresses about to be scanned."""
    guard = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab", "containment.py")
    argv = [sys.executable, guard, "--quiet"]
    for address in addresses:
        argv += ["--address", address]
    return subprocess.run(argv, check=False).returncode == 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Compare tls_probe with testssl.sh and sslyze on the lab.")
    parser.add_argument("--lab", default=DEFAULT_LAB)
    parser.add_argument("--good-address", required=True, help="address of the right host")
    parser.add_argument("--faults-address", required=True, help="address of the faulty host")
    parser.add_argument("--ca-file", required=True, help="the lab root CA (PEM)")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--profile", default="intermediate", choices=["intermediate", "modern"])
    parser.add_argument("--testssl", default=shutil.which("testssl") or "testssl")
    parser.add_argument("--sslyze", default=DEFAULT_SSLYZE if os.path.exists(DEFAULT_SSLYZE) else "sslyze")
    parser.add_argument("--jobs", type=int, default=6, help="testssl.sh processes at a time")
    parser.add_argument("--reuse", action="store_true", help="reuse scanner JSON already in --out-dir")
    parser.add_argument("--check-expected", action="store_true", help="exit 2 when our failures differ from expect")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.ca_file):
        print(f"--ca-file {args.ca_file!r} is not a file", file=sys.stderr)
        return 3
    os.makedirs(args.out_dir, exist_ok=True)
    if not contained(args.good_address, args.faults_address):
        return 3
    endpoints = load_endpoints(args.lab, args.good_address, args.faults_address)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        testssl_future = pool.submit(
            run_testssl, args.testssl, endpoints, args.ca_file, args.out_dir, args.jobs, args.reuse
        )
        sslyze_future = pool.submit(run_sslyze, args.sslyze, endpoints, args.ca_file, args.out_dir, args.reuse)
        ours, ours_time = run_ours(endpoints, args.ca_file, args.profile)
        testssl, testssl_time = testssl_future.result()
        sslyze, sslyze_time = sslyze_future.result()

    previous = os.path.join(args.out_dir, "comparison.json")
    if args.reuse and os.path.exists(previous):  # the scanners did not run: keep the timings of the run that did
        with open(previous, encoding="utf-8") as handle:
            timings = json.load(handle).get("timings", {})
        testssl_time = timings.get("testssl", testssl_time)
        sslyze_time = timings.get("sslyze", sslyze_time)
    with open(os.path.join(args.out_dir, "ours.json"), "w", encoding="utf-8") as handle:
        json.dump(ours, handle, indent=2)
    report = compare(endpoints, ours, testssl, sslyze, args.profile)
    report.update(
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        profile=args.profile,
        reused=args.reuse,
        profile_version=get_profile(args.profile).version,
        endpoint_count=len(endpoints),
        jobs=args.jobs,
        timings={"ours": ours_time, "testssl": testssl_time, "sslyze": sslyze_time},
        versions={"testssl": _version([args.testssl, "--version"]), "sslyze": _version([args.sslyze, "--help"])},
    )
    with open(os.path.join(args.out_dir, "comparison.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    markdown = render_markdown(report)
    with open(os.path.join(args.out_dir, "comparison.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown)
    print(markdown)
    if report["disagreements"]:
        return 1
    if args.check_expected and report["unexpected"]:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
