# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare our tls_probe with testssl.sh and sslyze on the compliance lab's endpoints, control by control.

Every endpoint of ``extensions/molecule/compliance/vars/lab.yml`` (one fault each, on nginx, Apache,
HAProxy, lighttpd, stunnel, gnutls-serv or the lab's Python servers, plus the right one) is scanned by
three parties:

* ours: ``webedge.https.tls_probe``'s probe (with the controller's certificate reader, as in-process
  probes have), ``evaluate_endpoint`` and ``grade_endpoint`` (imported from this checkout), one call
  for every endpoint, each judged against its own profile (``profile`` in lab.yml, default intermediate);
* testssl.sh (``testssl``): one process per endpoint, several at a time, restricted to what maps to
  our controls (``TESTSSL_CHECKS``);
* sslyze: one invocation per profile with ``--mozilla_config=PROFILE`` (its checker's verdicts, read
  from its output) plus the scan commands the checker does not judge (``--resum --http_headers``),
  JSON for everything.

``CONTROLS`` is every endpoint control of the catalog (``ENDPOINT_CONTROL_IDS``): a control missing
from ``MAPPING`` stops the tool. For each control and scanner a verdict is one of:

* ``pass`` / ``fail``: the scanner's own judgement, or (``derived``, ``*`` in the tables) what the
  scanner reported judged with our rule (accepted suites, dates, key, groups...);
* ``n/t``: the scanner has the check but did not run it on this endpoint, for a reason it states in
  its own code (e.g. sslyze tests Heartbleed only below TLS 1.3): not compared;
* absent: the scanner does not have the check at all.

Where a scanner looks at less than the control does (sslyze offers EC groups only, at the highest
version), its verdict is compared with ours restricted to what it looked at (``scope`` in the JSON),
computed from our own measurements. Our ``skip`` counts as "not flagged", our ``error`` as no verdict:
when a scanner decides and we do not, that is a disagreement too.

Exit status: 1 when any disagreement remains, 2 when ``--check-expected`` is given and the controls
we fail on an endpoint differ from the lab's ``expect`` list, 3 for usage errors.

Traffic goes only to the addresses given on the command line (lab containers, after the containment
guard); names under the lab domain are sent as SNI and Host but never resolved (testssl runs with
``--nodns none``).

Usage:
  compare_scanners.py --good-address 10.89.42.14 --faults-address 10.89.42.15 \\
      --ca-file CA.crt --out-dir DIR [--jobs 6] [--check-expected] [--reuse] [--doc docs/scanner-comparison.md]
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
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import yaml
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LAB = os.path.join(REPO, "extensions", "molecule", "compliance", "vars", "lab.yml")
DEFAULT_SSLYZE = os.path.join(REPO, ".venv-judges", "bin", "sslyze")


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

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import (
    ENDPOINT_CONTROL_IDS,
    evaluate_endpoint,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.grade import grade_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import probe_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import parse_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    Profile,
    get_profile,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import (
    CryptographyCertificateReader,
)

CONTROLS: Tuple[str, ...] = tuple(ENDPOINT_CONTROL_IDS)
Verdict = Dict[str, Any]  # {"status": pass|fail|n/t, "detail": str, "derived": bool, "scope": str}
Endpoint = Dict[str, Any]

# testssl.sh 3.0.8: what each option brings (JSON ids in MAPPING). -E lists every accepted suite per
# protocol with its key exchange; -s/-f/-P/-S/-h/-U parts give the verdicts below.
TESTSSL_CHECKS = ["-p", "-E", "-f", "-P", "-S", "-h", "-H", "-I", "-R", "-C", "-Z", "-BB", "-J"]
# --testssl-scope fault (the molecule scenario: a whole testssl.sh run costs ~85 s of CPU per endpoint):
# the right endpoint gets every check, each faulty one the option groups of its `expect` controls (and -p,
# which the verdicts of other groups read). sslyze and ours still cover every control everywhere.
TESTSSL_GROUPS: Dict[str, Tuple[str, ...]] = {
    **{cid: ("-p",) for cid in ("TLS-01", "TLS-02", "TLS-03", "TLS-04", "TLS-05", "TLS-06")},
    "TLS-07": ("-E",),
    "TLS-15": ("-E",),
    "TLS-16": ("-E", "-J"),
    "TLS-13": ("-f",),
    **{cid: ("-S",) for cid in ("TLS-08", "TLS-09", "TLS-10", "TLS-11", "TLS-12", "TLS-14", "TLS-18")},
    **{cid: ("-S",) for cid in ("TLS-20", "TLS-21", "TLS-22", "VULN-08")},
    "TLS-19": ("-P",),
    "VULN-01": ("-H",),
    "VULN-02": ("-I",),
    "VULN-03": ("-BB",),
    "VULN-04": ("-R",),
    "VULN-05": ("-R",),
    "VULN-06": ("-C",),
    "VULN-07": ("-Z",),
    "HTTP-01": ("-h",),
    "HTTP-02": (),
    "HTTP-03": ("-h",),
}


def testssl_checks(endpoint: Endpoint, scope: str) -> List[str]:
    """The testssl.sh options for this endpoint: all of them, or (scope "fault") those of its fault."""
    if scope == "full" or not endpoint["expect"]:
        return list(TESTSSL_CHECKS)
    wanted = {"-p"}
    for cid in endpoint["expect"]:
        wanted.update(TESTSSL_GROUPS.get(cid, ()))
    return [option for option in TESTSSL_CHECKS if option in wanted]


PROTOCOL_KEYS = (
    ("TLS-01", "SSLv2"),
    ("TLS-02", "SSLv3"),
    ("TLS-03", "TLSv1"),
    ("TLS-04", "TLSv1.1"),
)
EC_CURVE_ALIASES = {"prime256v1": "secp256r1", "x25519": "X25519", "x448": "X448"}


def verdict(status: str, detail: str = "", derived: bool = False, scope: str = "") -> Verdict:
    out: Verdict = {"status": status, "detail": detail, "derived": derived}
    if scope:
        out["scope"] = scope
    return out


def not_tested(reason: str) -> Verdict:
    return verdict("n/t", reason)


def pass_fail(bad: bool, detail: str, derived: bool = False, scope: str = "") -> Verdict:
    return verdict("fail" if bad else "pass", detail, derived, scope)


def group_name(name: str) -> str:
    """One spelling for a key exchange group across the three parties (SECG names, X25519/X448)."""
    text = str(name).strip()
    lowered = text.lower()
    if lowered in EC_CURVE_ALIASES:
        return EC_CURVE_ALIASES[lowered]
    if lowered.startswith("ffdhe") or lowered.startswith("secp") or lowered.startswith("sect"):
        return lowered
    if lowered.startswith("brainpool"):
        return "brainpoolP" + lowered[len("brainpoolp") :]
    return text


def is_ec_group(name: str) -> bool:
    lowered = name.lower()
    return not lowered.startswith("ffdhe") and "mlkem" not in lowered and "kyber" not in lowered


def allowed_groups(profile: Profile) -> Set[str]:
    return {group_name(g) for g in profile.curves}


# --- the lab --------------------------------------------------------------------------------------------


def load_endpoints(lab_file: str, good_address: str, faults_address: str) -> List[Endpoint]:
    with open(lab_file, encoding="utf-8") as handle:
        lab = yaml.safe_load(handle)
    domain = lab["lab_domain"]
    good = lab["lab_good"]
    entries = [dict(good, fault="none (the right one)", expect=[], address=good_address)]
    entries += [dict(fault, address=faults_address) for fault in lab["lab_faults"]]
    return [
        {
            "name": entry["name"],
            "server_name": f"{entry['name']}.{domain}",
            "address": entry["address"],
            "port": int(entry["port"]),
            "http_port": int(entry.get("http_port", 80)),
            "fault": entry["fault"],
            "expect": sorted(entry.get("expect", [])),
            "stack": entry.get("stack", "nginx"),
            "profile": entry.get("profile", "intermediate"),
        }
        for entry in entries
    ]


def label(endpoint: Endpoint) -> str:
    return f"{endpoint['server_name']}:{endpoint['port']}"


# --- ours -----------------------------------------------------------------------------------------------


def run_ours(endpoints: List[Endpoint], ca_file: str) -> Tuple[Dict[str, Any], float]:
    """Probe results with findings and grade, keyed by label: one probe call for every endpoint."""
    started = time.monotonic()
    targets = parse_targets(
        [
            {"host": e["server_name"], "port": e["port"], "address": e["address"], "http_port": e["http_port"]}
            for e in endpoints
        ]
    )
    reports = probe_targets(targets, ca_file=ca_file, timeout=5.0, reader=CryptographyCertificateReader())
    results: Dict[str, Any] = {}
    for endpoint, report in zip(endpoints, reports):
        result = report.result
        profile = get_profile(endpoint["profile"])
        result["findings"] = {k: v.to_dict() for k, v in evaluate_endpoint(result, profile).items()}
        result["grade"] = grade_endpoint(result)
        results[label(endpoint)] = result
    return results, time.monotonic() - started


def ours_verdicts(result: Dict[str, Any]) -> Dict[str, Verdict]:
    return {cid: verdict(f["status"], f["message"]) for cid, f in result.get("findings", {}).items()}


def _comparable(status: str) -> Optional[str]:
    """Our status as compared: skip (not applicable) is "not flagged"; error has no verdict."""
    return {"pass": "pass", "skip": "pass", "fail": "fail"}.get(status)


# Our verdict restricted to what a scanner looked at (computed from our own measurements).
def _ours_groups(result: Dict[str, Any], which: Sequence[str]) -> List[str]:
    kx = result.get("key_exchange") or {}
    groups: List[str] = []
    for key in which:
        groups += [group_name(g) for g in kx.get(key) or []]
    return sorted(set(groups))


def scoped_ours(control: str, scope: str, result: Dict[str, Any], profile: Profile) -> Optional[str]:
    if control == "TLS-13" and scope.startswith("EC groups"):
        tls13 = (result.get("protocols") or {}).get("TLSv1.3")
        groups = _ours_groups(result, ["groups_tls13"] if tls13 else ["groups_tls12"])
        outside = [g for g in groups if is_ec_group(g) and g not in allowed_groups(profile)]
        return "fail" if outside else "pass"
    if control == "TLS-13" and scope.startswith("groups at"):
        groups = _ours_groups(result, ["groups_tls13", "groups_tls12"])
        outside = [g for g in groups if g not in allowed_groups(profile)]
        return "fail" if outside else "pass"
    return None


# --- testssl.sh ------------------------------------------------------------------------------------------


def testssl_command(testssl: str, endpoint: Endpoint, ca_file: str, json_file: str, scope: str = "full") -> List[str]:
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
        *testssl_checks(endpoint, scope),
        "--ip",
        endpoint["address"],
        label(endpoint),
    ]


def run_testssl(
    testssl: str, endpoints: List[Endpoint], ca_file: str, out_dir: str, jobs: int, reuse: bool, scope: str = "full"
) -> Tuple[Dict[str, Any], float]:
    started = time.monotonic()

    def one(endpoint: Endpoint) -> Tuple[str, Any]:
        path = os.path.join(out_dir, f"testssl-{endpoint['name']}.json")
        if not (reuse and os.path.exists(path)):
            if os.path.exists(path):
                os.unlink(path)
            subprocess.run(
                testssl_command(testssl, endpoint, ca_file, path, scope),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=1200,
                check=False,
            )
        try:
            with open(path, encoding="utf-8") as handle:
                return label(endpoint), json.load(handle)
        except (OSError, ValueError) as exc:
            return label(endpoint), {"error": f"no JSON from testssl: {exc}"}

    # the slowest endpoints (Python servers, many suites) first, so the pool drains evenly
    ordered = sorted(endpoints, key=lambda e: e["stack"] not in ("scripted", "legacy"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = dict(pool.map(one, ordered))
    return results, time.monotonic() - started


def testssl_findings(doc: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
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


_TESTSSL_SUITE = re.compile(r"^cipher-(tls1(?:_[123])?|ssl[23])_x([0-9a-f]+)$")
_TESTSSL_KX = re.compile(r"\s(ECDH|DH)\s+(\d+)\s")
_TESTSSL_PROTO = {
    "ssl2": "SSLv2",
    "ssl3": "SSLv3",
    "tls1": "TLSv1",
    "tls1_1": "TLSv1.1",
    "tls1_2": "TLSv1.2",
    "tls1_3": "TLSv1.3",
}


def testssl_suites(found: Dict[str, Dict[str, Any]]) -> Dict[str, List[Tuple[str, str]]]:
    """-E: accepted suites per protocol, (IANA name, key exchange as testssl prints it)."""
    out: Dict[str, List[Tuple[str, str]]] = {}
    for tid, item in found.items():
        match = _TESTSSL_SUITE.match(tid)
        if not match:
            continue
        finding = str(item.get("finding", ""))
        text = finding.split()
        # "TLS 1.2  xc02f  ECDHE-RSA-AES128-GCM-SHA256  ECDH 253  AESGCM  128  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        iana = text[-1] if text and text[-1].startswith(("TLS_", "SSL_")) else ""
        kx_match = _TESTSSL_KX.search(finding)
        kx = f"{kx_match.group(1)} {kx_match.group(2)}" if kx_match else ""
        out.setdefault(_TESTSSL_PROTO[match.group(1)], []).append((iana, kx))
    return out


def _days(start: str, end: str) -> Optional[float]:
    try:
        fmt = "%Y-%m-%d %H:%M"
        return (datetime.datetime.strptime(end, fmt) - datetime.datetime.strptime(start, fmt)).total_seconds() / 86400
    except ValueError:
        return None


_VERSION = re.compile(r"\d+(\.\d+)+|/\s*\d")
_KEY = re.compile(r"^(RSA|EC|DSA|EdDSA)\s+(\d+)\s*bits?(?:\s*\(curve\s*([^)]+)\))?", re.I)
_TESTSSL_CURVE_TO_SECG = {"P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1"}
# testssl.sh 3.0.8 prints "EC 256 bits" without the curve: the NIST curve of that size
_EC_BITS_TO_SECG = {256: "secp256r1", 384: "secp384r1", 521: "secp521r1"}


def testssl_verdicts(doc: Dict[str, Any], endpoint: Endpoint, ours: Dict[str, Any]) -> Dict[str, Verdict]:
    """testssl.sh's JSON -> our controls (MAPPING says which id gives which)."""
    if "error" in doc:
        return {}
    profile = get_profile(endpoint["profile"])
    f = testssl_findings(doc)
    out: Dict[str, Verdict] = {}
    offered: Dict[str, Optional[bool]] = {}
    for tid, proto in (
        ("SSLv2", "SSLv2"),
        ("SSLv3", "SSLv3"),
        ("TLS1", "TLSv1"),
        ("TLS1_1", "TLSv1.1"),
        ("TLS1_2", "TLSv1.2"),
        ("TLS1_3", "TLSv1.3"),
    ):
        offered[proto] = _offered(f.get(tid))
    for cid, proto in PROTOCOL_KEYS:
        if offered[proto] is not None:
            tid = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1": "TLS1", "TLSv1.1": "TLS1_1"}[proto]
            out[cid] = pass_fail(bool(offered[proto]) and not profile.offers(proto), f"{tid}: {f[tid]['finding']}")
    if offered["TLSv1.2"] is not None:
        out["TLS-05"] = pass_fail(offered["TLSv1.2"] != profile.offers("TLSv1.2"), f"TLS1_2: {f['TLS1_2']['finding']}")
    if offered["TLSv1.3"] is not None:
        out["TLS-06"] = pass_fail(not offered["TLSv1.3"], f"TLS1_3: {f['TLS1_3']['finding']}")

    suites = testssl_suites(f)
    invocation = str(doc.get("Invocation", "")).split()
    enumerated = "-E" in invocation or not invocation  # --testssl-scope fault leaves -E out on most endpoints
    if enumerated and (suites or any(offered.values())):
        allowed12 = set(profile.tls12_ciphers_iana)
        legacy = [(p, s) for p in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2") for s, _kx in suites.get(p, [])]
        outside = sorted({s for _p, s in legacy if s not in allowed12})
        out["TLS-07"] = pass_fail(
            bool(outside),
            ("outside the profile: " + ", ".join(outside))
            if outside
            else f"{len(legacy)} suites <= TLS 1.2, all in profile",
            derived=True,
        )
        tls13 = [s for s, _kx in suites.get("TLSv1.3", [])]
        outside13 = sorted(s for s in tls13 if s not in profile.tls13_ciphersuites)
        out["TLS-15"] = pass_fail(
            bool(outside13),
            ("outside the profile: " + ", ".join(outside13))
            if outside13
            else f"{len(tls13)} TLS 1.3 suites, all in profile",
            derived=True,
        )
        dh = [
            int(m.group(1)) for p, items in suites.items() for _s, kx in items for m in [re.match(r"DH (\d+)", kx)] if m
        ]
        if profile.dh_param_size and dh:
            out["TLS-16"] = pass_fail(min(dh) < profile.dh_param_size, f"-E: smallest DH {min(dh)} bits", derived=True)
        elif profile.dh_param_size:
            out["TLS-16"] = verdict("pass", "-E: no DHE suite accepted", derived=True)

    curves = f.get("FS_ECDHE_curves")
    groups = f.get("DH_groups")
    if curves or groups:
        seen = [group_name(g) for g in str((curves or {}).get("finding", "")).split()]
        ff = re.findall(r"ffdhe\d+", str((groups or {}).get("finding", "")))
        outside = sorted({g for g in seen + ff if g not in allowed_groups(profile)})
        out["TLS-13"] = pass_fail(
            bool(outside),
            ("outside the profile: " + ", ".join(outside)) if outside else "curves/groups: " + " ".join(seen + ff),
            derived=True,
        )

    chain = f.get("cert_chain_of_trust")
    if chain:
        ok = str(chain.get("severity")) in ("OK", "INFO") and "passed" in str(chain.get("finding", "")).lower()
        out["TLS-08"] = pass_fail(not ok, f"cert_chain_of_trust: {chain['finding']}")
    trust = f.get("cert_trust")
    if trust:
        text = str(trust.get("finding", ""))
        out["TLS-09"] = pass_fail(not text.lower().startswith("ok"), f"cert_trust: {text}")
    expiry = f.get("cert_expirationStatus")
    if expiry:
        text = str(expiry.get("finding", ""))
        out["TLS-10"] = pass_fail("expired" in text.lower(), f"cert_expirationStatus: {text}")
    key, sig = f.get("cert_keySize"), f.get("cert_signatureAlgorithm")
    if key and sig:
        match = _KEY.match(str(key.get("finding", "")))
        signature = str(sig.get("finding", "")).strip()
        ok_key = False
        if match:
            kind, bits, curve = match.group(1).upper(), int(match.group(2)), match.group(3)
            if kind == "RSA":
                ok_key = "rsa" in profile.certificate_types and bits >= (profile.min_rsa_key_size or 0)
            elif kind == "EC":
                named = (curve or "").strip()
                secg = _TESTSSL_CURVE_TO_SECG.get(named, named) if named else _EC_BITS_TO_SECG.get(bits, "")
                ok_key = "ecdsa" in profile.certificate_types and group_name(secg) in {
                    group_name(c) for c in profile.certificate_curves
                }
        ok_sig = _testssl_signature(signature) in profile.certificate_signatures
        out["TLS-11"] = pass_fail(
            not (ok_key and ok_sig),
            f"cert_keySize: {key['finding']}; cert_signatureAlgorithm: {signature}",
            derived=True,
        )
    if chain and "incomplete" in str(chain.get("finding", "")).lower():
        out["TLS-12"] = verdict("fail", f"cert_chain_of_trust: {chain['finding']}")
    before, after = f.get("cert_notBefore"), f.get("cert_notAfter")
    if before and after:
        days = _days(str(before.get("finding")), str(after.get("finding")))
        if days is not None:
            out["TLS-14"] = pass_fail(
                days > profile.max_certificate_lifespan + 1, f"lifespan {days:.0f} days", derived=True
            )

    order = f.get("cipher_order")
    if order:
        text = str(order.get("finding", ""))
        server_order = text.lower().startswith("server")
        out["TLS-19"] = pass_fail(
            bool(profile.server_preferred_order) and not server_order, f"cipher_order: {text}", derived=True
        )
    stapling = f.get("OCSP_stapling")
    ocsp_url = f.get("cert_ocspURL")
    if stapling and ocsp_url:
        stapled = str(stapling.get("finding", "")).lower().startswith("offered")
        has_url = str(ocsp_url.get("finding", "")).strip().lower() not in ("", "--", "not offered")
        out["TLS-20"] = pass_fail(
            bool(profile.ocsp_staple) and has_url and not stapled,
            f"OCSP_stapling: {stapling['finding']}; cert_ocspURL: {ocsp_url['finding']}",
            derived=True,
        )
    must = f.get("cert_mustStapleExtension")
    if must and stapling:
        text = str(must.get("finding", "")).lower()
        has_must = text.startswith("supported") or "extension detected" in text
        stapled = str(stapling.get("finding", "")).lower().startswith("offered")
        out["TLS-21"] = pass_fail(
            has_must and not stapled,
            f"cert_mustStapleExtension: {must['finding']}; OCSP_stapling: {stapling['finding']}",
            derived=True,
        )
    ticket, sid = f.get("sessionresumption_ticket"), f.get("sessionresumption_ID")
    if ticket and sid:
        texts = [str(s.get("finding", "")).lower() for s in (ticket, sid)]
        detail = f"sessionresumption_ticket: {ticket['finding']}; sessionresumption_ID: {sid['finding']}"
        below13 = [offered[p] for p in ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2")]
        if any(t.startswith("supported") for t in texts):
            out["TLS-22"] = verdict("pass", detail, derived=True)
        elif not any(below13) and offered["TLSv1.3"]:
            out["TLS-22"] = not_tested(f"TLS 1.3 only, resumption below TLS 1.3 does not arise ({detail})")
        elif any("check failed" in t for t in texts):
            out["TLS-22"] = not_tested(f"testssl could not connect for one of the two checks ({detail})")
        else:
            out["TLS-22"] = verdict("fail", detail, derived=True)

    for cid, tid in (("VULN-01", "heartbleed"), ("VULN-02", "CCS"), ("VULN-06", "CRIME_TLS")):
        item = f.get(tid)
        if item:
            text = str(item.get("finding", ""))
            out[cid] = pass_fail(
                "vulnerable" in text.lower() and "not vulnerable" not in text.lower(), f"{tid}: {text}"
            )
    robot = f.get("ROBOT")
    if robot:
        text = str(robot.get("finding", ""))
        out["VULN-03"] = pass_fail(text.upper().startswith("VULNERABLE"), f"ROBOT: {text} ({robot.get('severity')})")
    reneg = f.get("secure_renego")
    # testssl.sh runs OpenSSL with OPENSSL_CONF='' (it has no GOST engine): an OpenSSL 3 client aborts the
    # handshake with a server lacking RFC 5746 (unsafe legacy renegotiation disabled), so both renegotiation
    # tests see no handshake there and their verdicts say nothing.
    no_handshake = bool(reneg) and "handshake didn't succeed" in str(reneg.get("finding", "")).lower()
    if reneg:
        text = str(reneg.get("finding", ""))
        if no_handshake:
            out["VULN-04"] = not_tested(f"secure_renego: {text} (OpenSSL 3 refuses a server without RFC 5746)")
        else:
            out["VULN-04"] = pass_fail(
                "not supported" in text.lower() or "vulnerable" in text.lower(), f"secure_renego: {text}"
            )
    client = f.get("secure_client_renego")
    if client:
        text = str(client.get("finding", ""))
        if no_handshake:
            out["VULN-05"] = not_tested(f"secure_client_renego: {text}, but secure_renego found no handshake")
        else:
            out["VULN-05"] = pass_fail(text.upper().startswith("VULNERABLE"), f"secure_client_renego: {text}")
    fallback = f.get("fallback_SCSV")
    if fallback:
        text = str(fallback.get("finding", ""))
        if "no protocol below" in text.lower() or "only one protocol" in text.lower():
            out["VULN-07"] = not_tested(f"fallback_SCSV: {text}")
        else:
            out["VULN-07"] = pass_fail("not supported" in text.lower(), f"fallback_SCSV: {text}")
    extensions = f.get("TLS_extensions")
    if extensions and (offered["TLSv1.2"] or offered["TLSv1.1"] or offered["TLSv1"]):
        text = str(extensions.get("finding", ""))
        out["VULN-08"] = pass_fail(
            "extended master secret" not in text.lower(), f"TLS_extensions: {text}", derived=True
        )

    hsts = f.get("HSTS_time") or f.get("HSTS")
    if hsts:
        text = str(hsts.get("finding", ""))
        match = re.search(r"=(\d+) seconds", text)
        if match:
            out["HTTP-01"] = pass_fail(int(match.group(1)) < profile.hsts_max_age, f"{hsts['id']}: {text}")
        elif "not offered" in text.lower() or hsts.get("severity") in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
            out["HTTP-01"] = verdict("fail", f"{hsts['id']}: {text}")
    banner = f.get("banner_server")
    if banner:
        text = str(banner.get("finding", ""))
        has_version = bool(_VERSION.search(text)) and "no server banner" not in text.lower()
        out["HTTP-03"] = pass_fail(has_version, f"banner_server: {text}", derived=True)
    return out


def _testssl_signature(text: str) -> str:
    names = {
        "SHA256 with RSA": "sha256WithRSAEncryption",
        "SHA384 with RSA": "sha384WithRSAEncryption",
        "SHA512 with RSA": "sha512WithRSAEncryption",
        "SHA1 with RSA": "sha1WithRSAEncryption",
        "ECDSA with SHA256": "ecdsa-with-SHA256",
        "ECDSA with SHA384": "ecdsa-with-SHA384",
        "ECDSA with SHA512": "ecdsa-with-SHA512",
        "ECDSA with SHA1": "ecdsa-with-SHA1",
    }
    return names.get(text, text)


# --- sslyze ----------------------------------------------------------------------------------------------

_MOZILLA_LINE = re.compile(r"^\s{4}(\S+:\d+): (OK - Compliant|FAILED - Not compliant|ERROR - .*?)\.?$")
_MOZILLA_ISSUE = re.compile(r"^\s{8}\* (\w+): (.*)$")


def parse_mozilla(stdout: str) -> Dict[str, Dict[str, Any]]:
    """sslyze's "Compliance against TLS configuration" section: per server, its status and issues."""
    out: Dict[str, Dict[str, Any]] = {}
    current: Optional[Dict[str, Any]] = None
    for line in stdout.splitlines():
        match = _MOZILLA_LINE.match(line)
        if match:
            status = (
                "ok"
                if match.group(2).startswith("OK")
                else "failed"
                if match.group(2).startswith("FAILED")
                else "error"
            )
            current = out[match.group(1)] = {"status": status, "issues": {}}
            continue
        issue = _MOZILLA_ISSUE.match(line)
        if issue and current is not None:
            current["issues"][issue.group(1)] = issue.group(2)
    return out


def run_sslyze(
    sslyze: str, endpoints: List[Endpoint], ca_file: str, out_dir: str, reuse: bool
) -> Tuple[Dict[str, Any], float]:
    """One sslyze per profile, concurrently; results keyed by label: {"json": ..., "mozilla": ...}."""
    started = time.monotonic()
    by_profile: Dict[str, List[Endpoint]] = {}
    for endpoint in endpoints:
        by_profile.setdefault(endpoint["profile"], []).append(endpoint)

    def one(profile: str) -> Tuple[str, Optional[Dict[str, Any]], str]:
        path = os.path.join(out_dir, f"sslyze-{profile}.json")
        text_path = os.path.join(out_dir, f"sslyze-{profile}.txt")
        if not (reuse and os.path.exists(path) and os.path.exists(text_path)):
            command = [
                sslyze,
                "--quiet",
                f"--mozilla_config={profile}",
                "--certinfo_ca_file",
                ca_file,
                "--resum",
                "--http_headers",
                "--json_out",
                path,
            ] + [f"{label(e)}{{{e['address']}}}" for e in by_profile[profile]]
            done = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
            with open(text_path, "w", encoding="utf-8") as handle:
                handle.write(done.stdout + done.stderr)
        with open(text_path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            with open(path, encoding="utf-8") as handle:
                return profile, json.load(handle), text
        except (OSError, ValueError):
            return profile, None, text

    results: Dict[str, Any] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(by_profile) or 1) as pool:
        for _profile, doc, text in pool.map(one, sorted(by_profile)):
            mozilla = parse_mozilla(text)
            for server in (doc or {}).get("server_scan_results", []):
                location = server["server_location"]
                key = f"{location['hostname']}:{location['port']}"
                results[key] = {"json": server, "mozilla": mozilla.get(key)}
    return results, time.monotonic() - started


def _attempt(scan: Dict[str, Any], key: str) -> Optional[Dict[str, Any]]:
    attempt = scan.get(key) or {}
    if attempt.get("status") != "COMPLETED" or not attempt.get("result"):
        return None
    return attempt["result"]


def _accepted(scan: Dict[str, Any], key: str) -> Optional[List[Dict[str, Any]]]:
    result = _attempt(scan, key)
    return None if result is None else list(result.get("accepted_cipher_suites", []))


def _name_matches(name: str, pattern: str) -> bool:
    name, pattern = name.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _dot, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return name == pattern


SSLYZE_VERSION_KEYS = (
    ("SSLv2", "ssl_2_0_cipher_suites"),
    ("SSLv3", "ssl_3_0_cipher_suites"),
    ("TLSv1", "tls_1_0_cipher_suites"),
    ("TLSv1.1", "tls_1_1_cipher_suites"),
    ("TLSv1.2", "tls_1_2_cipher_suites"),
    ("TLSv1.3", "tls_1_3_cipher_suites"),
)
# the mozilla checker's issue keys that make up one of our controls
MOZILLA_KEYS = {
    "TLS-07": ["ciphers"],
    "TLS-08": ["certificate_path_validation"],
    "TLS-11": ["certificate_types", "certificate_curves", "rsa_key_size", "certificate_signatures"],
    "TLS-13": ["tls_curves"],
    "TLS-14": ["maximum_certificate_lifespan"],
    "TLS-15": ["ciphersuites"],
    "TLS-16": ["dh_param_size"],
    "TLS-17": ["ecdh_param_size"],
    "VULN-01": ["tls_vulnerability_heartbleed"],
    "VULN-02": ["tls_vulnerability_ccs_injection"],
    "VULN-03": ["tls_vulnerability_robot"],
    "VULN-04": ["tls_vulnerability_renegotiation"],
    "VULN-06": ["tls_vulnerability_compression"],
    "VULN-07": ["tls_vulnerability_fallback_scsv"],
    "VULN-08": ["tls_vulnerability_extended_master_secret"],
}


def sslyze_verdicts(entry: Optional[Dict[str, Any]], endpoint: Endpoint, ours: Dict[str, Any]) -> Dict[str, Verdict]:
    """sslyze's mozilla checker and JSON -> our controls."""
    if not entry:
        return {}
    server = entry["json"]
    if server.get("scan_status") != "COMPLETED" or not server.get("scan_result"):
        return {}
    profile = get_profile(endpoint["profile"])
    scan = server["scan_result"]
    mozilla = entry.get("mozilla") or {}
    judged = mozilla.get("status") in ("ok", "failed")
    issues = mozilla.get("issues", {})
    out: Dict[str, Verdict] = {}

    supported = {proto: _accepted(scan, key) for proto, key in SSLYZE_VERSION_KEYS}
    versions_issue = issues.get("tls_versions", "")
    for cid, proto in PROTOCOL_KEYS:
        accepted = supported[proto]
        if judged:
            out[cid] = pass_fail(f"'{proto}'" in versions_issue, f"tls_versions: {versions_issue or 'ok'}")
        elif accepted is not None:
            out[cid] = pass_fail(
                bool(accepted) and not profile.offers(proto), f"{len(accepted)} accepted", derived=True
            )
    if supported["TLSv1.2"] is not None:
        if judged and not profile.offers("TLSv1.2"):
            out["TLS-05"] = pass_fail("'TLSv1.2'" in versions_issue, f"tls_versions: {versions_issue or 'ok'}")
        else:
            out["TLS-05"] = pass_fail(
                bool(supported["TLSv1.2"]) != profile.offers("TLSv1.2"),
                f"{len(supported['TLSv1.2'])} TLS 1.2 suites",
                derived=True,
            )
    tls13_supported = bool(supported["TLSv1.3"])
    if supported["TLSv1.3"] is not None:
        out["TLS-06"] = pass_fail(not supported["TLSv1.3"], f"{len(supported['TLSv1.3'])} TLS 1.3 suites", derived=True)

    for cid, keys in MOZILLA_KEYS.items():
        if not judged:
            continue
        hit = [f"{k}: {issues[k]}" for k in keys if k in issues]
        out[cid] = pass_fail(bool(hit), "; ".join(hit) or "mozilla checker: " + ", ".join(keys) + " ok")
    if judged:
        out["TLS-13"]["scope"] = "EC groups at the highest version"  # sslyze never offers ffdhe or hybrid groups
        if profile.dh_param_size is None:
            out.pop("TLS-16", None)
        highest = (
            "TLSv1.3"
            if tls13_supported
            else next((p for p in ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3") if supported.get(p)), None)
        )
        if tls13_supported:
            for cid in ("VULN-01", "VULN-02", "VULN-08"):
                out[cid] = not_tested("sslyze skips this test when the server supports TLS 1.3")
        downgrade = {"TLSv1.3": "TLSv1.1", "TLSv1.2": "TLSv1.1", "TLSv1.1": "TLSv1", "TLSv1": "SSLv3"}.get(
            highest or ""
        )
        if downgrade and not supported.get(downgrade):
            out["VULN-07"] = not_tested(
                f"sslyze sends {downgrade} with TLS_FALLBACK_SCSV, a version this server refuses anyway"
                " (its code counts that as supported)"
            )
    robot = _attempt(scan, "robot")
    if robot:
        value = str(robot.get("robot_result", ""))
        if value.startswith("UNKNOWN"):
            out["VULN-03"] = not_tested(f"robot: {value}")
        else:
            out["VULN-03"] = pass_fail(value.startswith("VULNERABLE"), f"robot: {value}")
    reneg = _attempt(scan, "session_renegotiation")
    if reneg:
        accepts = reneg.get("is_vulnerable_to_client_renegotiation_dos")
        if accepts is None:
            accepts = reneg.get("accepts_client_renegotiation")
        out["VULN-05"] = pass_fail(bool(accepts), f"session_renegotiation: client renegotiation accepted = {accepts}")
        if not judged:
            secure = reneg.get("supports_secure_renegotiation")
            out["VULN-04"] = pass_fail(not secure, f"session_renegotiation: secure renegotiation = {secure}")
    resum = _attempt(scan, "session_resumption")
    if resum:
        ids = str(resum.get("session_id_resumption_result", ""))
        tickets = str(resum.get("tls_ticket_resumption_result", ""))
        works = ids == "FULLY_SUPPORTED" or tickets == "FULLY_SUPPORTED" or "PARTIALLY" in ids
        if "TLS_1_3_ONLY" in ids + tickets:
            out["TLS-22"] = not_tested(f"session IDs {ids}, tickets {tickets}: resumption below TLS 1.3 does not arise")
        else:
            out["TLS-22"] = pass_fail(not works, f"session IDs {ids}, tickets {tickets}", derived=True)

    certinfo = _attempt(scan, "certificate_info")
    if certinfo and certinfo.get("certificate_deployments"):
        deployment = certinfo["certificate_deployments"][0]
        chain = deployment.get("received_certificate_chain") or []
        leaf = chain[0] if chain else None
        custom = [
            pv
            for pv in deployment.get("path_validation_results", [])
            if "supplied" in pv["trust_store"]["name"].lower()
        ]
        if custom and judged and out.get("TLS-08", {}).get("status") == "fail":
            error = str(custom[0].get("validation_error") or "")
            if "subjectaltname" in error.lower():  # sslyze validates the name with the path: that is TLS-09
                out["TLS-08"] = verdict(
                    "pass", "certificate_path_validation fails on the name only (TLS-09): " + error.split(" (", 1)[0]
                )
        if custom and not judged:
            pv = custom[0]
            error = str(pv.get("validation_error") or "")
            out["TLS-08"] = pass_fail(
                not pv["was_validation_successful"] and "subjectaltname" not in error.lower(),
                error.split(" (encountered", maxsplit=1)[0] or "path validation with the supplied CA file succeeded",
            )
        if leaf:
            names = (leaf.get("subject_alternative_name") or {}).get("dns_names") or []
            ok = any(_name_matches(endpoint["server_name"], n) for n in names)
            out["TLS-09"] = pass_fail(not ok, f"SAN dNSNames: {', '.join(names)}", derived=True)
            not_after = datetime.datetime.fromisoformat(leaf["not_valid_after"].replace("Z", "+00:00"))
            not_before = datetime.datetime.fromisoformat(leaf["not_valid_before"].replace("Z", "+00:00"))
            now = datetime.datetime.now(datetime.timezone.utc)
            out["TLS-10"] = pass_fail(
                not (not_before <= now < not_after), f"not_valid_after {leaf['not_valid_after']}", derived=True
            )
            if not judged:
                out["TLS-14"] = pass_fail(
                    (not_after - not_before).days > profile.max_certificate_lifespan,
                    f"lifespan {(not_after - not_before).days} days",
                    derived=True,
                )
            self_signed = leaf.get("subject", {}).get("rfc4514_string") == leaf.get("issuer", {}).get("rfc4514_string")
            if deployment.get("verified_certificate_chain"):
                out["TLS-12"] = verdict("pass", f"{len(chain)} certificate(s) served, verified chain built from them")
            elif not self_signed and len(chain) == 1:
                out["TLS-12"] = verdict("fail", "only the leaf served", derived=True)
            out["TLS-18"] = _sslyze_chain(chain)
            aia = leaf.get("authority_information_access") or {}
            ocsp_urls = aia.get("ocsp_responder_urls") if isinstance(aia, dict) else None
            if ocsp_urls is None:
                ocsp_urls = _ocsp_urls_from_extensions(leaf)
            stapled = deployment.get("ocsp_response") is not None
            out["TLS-20"] = pass_fail(
                bool(profile.ocsp_staple) and bool(ocsp_urls) and not stapled,
                f"OCSP URLs {ocsp_urls or 'none'}; stapled = {stapled}",
                derived=True,
            )
            must = deployment.get("leaf_certificate_has_must_staple_extension")
            out["TLS-21"] = pass_fail(
                bool(must) and not stapled, f"must-staple = {must}; stapled = {stapled}", derived=True
            )

    headers = _attempt(scan, "http_headers")
    if headers is not None and not headers.get("http_error_trace"):
        hsts = headers.get("strict_transport_security_header")
        if hsts is None:
            out["HTTP-01"] = verdict("fail", "no Strict-Transport-Security header")
        else:
            age = hsts.get("max_age")
            out["HTTP-01"] = pass_fail(not (isinstance(age, int) and age >= profile.hsts_max_age), f"max_age={age}")
    return out


_WEAK_SIGNATURE = re.compile(r"md2|md5|sha1", re.I)


def _sslyze_chain(chain: List[Dict[str, Any]]) -> Verdict:
    """TLS-18 from the certificates sslyze received: every one after the leaf (a self-signed root's own
    signature does not count)."""
    bad = []
    for cert in chain[1:]:
        key = cert.get("public_key") or {}
        algorithm, size, curve = key.get("algorithm"), key.get("key_size") or 0, key.get("ec_curve_name")
        signature = (cert.get("signature_algorithm_oid") or {}).get("name", "")
        self_signed = cert.get("subject", {}).get("rfc4514_string") == cert.get("issuer", {}).get("rfc4514_string")
        subject = cert.get("subject", {}).get("rfc4514_string", "?")
        if algorithm == "RSAPublicKey" and size < 2048:
            bad.append(f"{subject}: RSA {size}")
        if algorithm in ("EllipticCurvePublicKey", "ECPublicKey") and curve not in (
            "secp256r1",
            "secp384r1",
            "secp521r1",
        ):
            bad.append(f"{subject}: curve {curve}")
        if algorithm == "DSAPublicKey":
            bad.append(f"{subject}: DSA")
        if _WEAK_SIGNATURE.search(signature) and not self_signed:
            bad.append(f"{subject}: {signature}")
    return pass_fail(
        bool(bad), "; ".join(bad) or f"{len(chain) - 1} certificate(s) after the leaf, none weak", derived=True
    )


def _ocsp_urls_from_extensions(cert: Dict[str, Any]) -> List[str]:
    """The OCSP responder URLs of sslyze's certificate JSON, from its PEM (sslyze 6 has no field for them)."""
    pem = cert.get("as_pem")
    if not pem:
        return []
    try:
        aia = x509.load_pem_x509_certificate(pem.encode()).extensions.get_extension_for_oid(
            ExtensionOID.AUTHORITY_INFORMATION_ACCESS
        )
    except (x509.ExtensionNotFound, ValueError):
        return []
    return [d.access_location.value for d in aia.value if d.access_method == AuthorityInformationAccessOID.OCSP]


# --- comparison --------------------------------------------------------------------------------------------


# Documented exceptions: (who, endpoint name, control) -> why that party cannot see the control there.
# "ours": our probe has no verdict ("error") where the scanners have one; a scanner: its verdict rests on
# something it does not look at. Not compared; listed with the reason in the comparison. An entry whose
# party decides after all (ours not "error") is compared as usual.
BLIND: Dict[Tuple[str, str, str], str] = {
    ("ours", "sslv3", "TLS-22"): "our resumption test uses Python's ssl, which has no SSLv3 (OpenSSL 3 dropped it)",
    ("ours", "sslv3", "VULN-05"): "our renegotiation test's own TLS client speaks TLS 1.0-1.2, not SSLv3",
    ("ours", "sslv2", "TLS-22"): "our resumption test uses Python's ssl, which has no SSLv2/SSLv3",
    ("ours", "sslv2", "VULN-05"): "our renegotiation test's own TLS client speaks TLS 1.0-1.2, not SSLv2/SSLv3",
    ("ours", "sslv2", "VULN-01"): "this server answers every TLS hello with protocol_version; our Heartbleed test"
    " sends TLS hellos only (reported to probe)",
    ("ours", "sslv2", "VULN-02"): "this server answers every TLS hello with protocol_version; our CCS test"
    " sends TLS hellos only (reported to probe)",
    ("testssl", "sha1chain", "TLS-08"): "testssl.sh judges the chain with `openssl verify` under OPENSSL_CONF=''"
    " (no security level), so a SHA-1-signed intermediate verifies; sslyze and we refuse it (TLS-18 names the"
    " intermediate)",
}


def _blind(who: str, endpoint: Endpoint, control: str) -> Optional[str]:
    return BLIND.get((who, endpoint["name"], control))


def compare(
    endpoints: List[Endpoint], ours: Dict[str, Any], testssl: Dict[str, Any], sslyze: Dict[str, Any]
) -> Dict[str, Any]:
    rows: List[Dict[str, Any]] = []
    disagreements: List[Dict[str, Any]] = []
    unexpected: List[Dict[str, Any]] = []
    not_tested_rows: List[Dict[str, Any]] = []
    per_control: Dict[str, Dict[str, int]] = {
        cid: {f"{j}_{k}": 0 for j in ("testssl", "sslyze") for k in ("compared", "agree", "not_tested")}
        for cid in CONTROLS
    }
    for endpoint in endpoints:
        key = label(endpoint)
        result = ours.get(key, {})
        our = ours_verdicts(result)
        profile = get_profile(endpoint["profile"])
        judges = {
            "testssl": testssl_verdicts(testssl.get(key, {"error": "not run"}), endpoint, result),
            "sslyze": sslyze_verdicts(sslyze.get(key), endpoint, result),
        }
        failing = sorted(
            cid
            for cid, v in our.items()
            if v["status"] == "fail" or (v["status"] == "error" and not _blind("ours", endpoint, cid))
        )
        if endpoint["expect"] != failing:
            unexpected.append({"endpoint": key, "expected": endpoint["expect"], "ours": failing})
        for cid in CONTROLS:
            mine = our.get(cid, verdict("error", "no finding"))
            row: Dict[str, Any] = {
                "endpoint": key,
                "name": endpoint["name"],
                "fault": endpoint["fault"],
                "control": cid,
                "ours": mine,
            }
            for judge, verdicts in judges.items():
                theirs = verdicts.get(cid)
                row[judge] = theirs
                if theirs is None:
                    continue
                blind = _blind(judge, endpoint, cid)
                if mine["status"] == "error" and _blind("ours", endpoint, cid):
                    blind = "ours: " + str(_blind("ours", endpoint, cid))
                if blind and theirs["status"] != "n/t":
                    theirs = row[judge] = verdict("n/t", f"documented exception: {blind} ({theirs['detail']})")
                if theirs["status"] == "n/t":
                    per_control[cid][f"{judge}_not_tested"] += 1
                    not_tested_rows.append(
                        {"endpoint": key, "control": cid, "judge": judge, "reason": theirs["detail"]}
                    )
                    continue
                compared_with = _comparable(mine["status"])
                if theirs.get("scope") and compared_with is not None:
                    compared_with = scoped_ours(cid, theirs["scope"], result, profile) or compared_with
                    theirs["ours_in_scope"] = compared_with
                per_control[cid][f"{judge}_compared"] += 1
                if compared_with == theirs["status"]:
                    per_control[cid][f"{judge}_agree"] += 1
                else:
                    disagreements.append(
                        {
                            "endpoint": key,
                            "control": cid,
                            "judge": judge,
                            "ours": mine["status"] if compared_with is None else compared_with,
                            "theirs": theirs["status"],
                            "our_detail": mine["detail"],
                            "their_detail": theirs["detail"],
                        }
                    )
            rows.append(row)
    return {
        "rows": rows,
        "disagreements": disagreements,
        "unexpected": unexpected,
        "not_tested": not_tested_rows,
        "per_control": per_control,
    }


# What each scanner does for each control: (testssl.sh, sslyze); None = the scanner does not check it.
MAPPING: Dict[str, Tuple[Optional[str], Optional[str]]] = {
    "TLS-01": ("`SSLv2` offered", "`tls_versions` (mozilla checker)"),
    "TLS-02": ("`SSLv3` offered", "`tls_versions` (mozilla checker)"),
    "TLS-03": ("`TLS1` offered", "`tls_versions` (mozilla checker)"),
    "TLS-04": ("`TLS1_1` offered", "`tls_versions` (mozilla checker)"),
    "TLS-05": ("`TLS1_2` offered, as the profile says", "TLS 1.2 suites accepted* (`tls_versions` for modern)"),
    "TLS-06": ("`TLS1_3` offered", "TLS 1.3 suites accepted*"),
    "TLS-07": (
        "every suite of `-E` (`cipher-tls1_2_x..`, SSLv3..TLS 1.2) in the profile*",
        "`ciphers` (mozilla checker)",
    ),
    "TLS-08": ('`cert_chain_of_trust` "passed" (with `--add-ca`)', "`certificate_path_validation` (mozilla checker)"),
    "TLS-09": ('`cert_trust` starts with "Ok"', "leaf SAN dNSNames*"),
    "TLS-10": ('`cert_expirationStatus` not "expired"', "leaf `not_valid_before/after`*"),
    "TLS-11": (
        "`cert_keySize` and `cert_signatureAlgorithm` judged by the profile*",
        "`certificate_types`, `certificate_curves`, `rsa_key_size`, `certificate_signatures` (mozilla checker)",
    ),
    "TLS-12": (
        '`cert_chain_of_trust` "chain incomplete"',
        "verified chain built from the served certificates, else leaf only*",
    ),
    "TLS-13": (
        "`FS_ECDHE_curves` and `DH_groups` (`-f`: EC curves and ffdhe groups, TLS 1.2 and 1.3) in the profile*",
        "`tls_curves` (mozilla checker): EC curves only, at the highest version (compared with ours in that scope)",
    ),
    "TLS-14": (
        "`cert_notBefore`..`cert_notAfter` against the profile's maximum*",
        "`maximum_certificate_lifespan` (mozilla checker)",
    ),
    "TLS-15": ("every TLS 1.3 suite of `-E` (`cipher-tls1_3_x..`) in the profile*", "`ciphersuites` (mozilla checker)"),
    "TLS-16": ("smallest `DH nnnn` of the `-E` suites against `dh_param_size`*", "`dh_param_size` (mozilla checker)"),
    "TLS-17": (None, "`ecdh_param_size` (mozilla checker)"),
    "TLS-18": (None, "every received certificate after the leaf: key and signature*"),
    "TLS-19": ("`cipher_order` (`-P`), when the profile wants server order*", None),
    "TLS-20": ("`OCSP_stapling` and `cert_ocspURL`*", "`ocsp_response` and the leaf's OCSP URL*"),
    "TLS-21": (
        "`cert_mustStapleExtension` and `OCSP_stapling`*",
        "`leaf_certificate_has_must_staple_extension` and `ocsp_response`*",
    ),
    "TLS-22": ("`sessionresumption_ID`, `sessionresumption_ticket`*", "`session_resumption` (`--resum`)*"),
    "VULN-01": ("`heartbleed` (`-H`)", "`tls_vulnerability_heartbleed`; not tested on TLS 1.3 servers"),
    "VULN-02": ("`CCS` (`-I`)", "`tls_vulnerability_ccs_injection`; not tested on TLS 1.3 servers"),
    "VULN-03": ("`ROBOT` (`-BB`)", "`robot` result (strong and weak oracles)"),
    "VULN-04": ("`secure_renego` (`-R`)", "`tls_vulnerability_renegotiation` (mozilla checker)"),
    "VULN-05": ("`secure_client_renego` (`-R`)", "`session_renegotiation`: client renegotiation accepted"),
    "VULN-06": ("`CRIME_TLS` (`-C`)", "`tls_vulnerability_compression` (mozilla checker)"),
    "VULN-07": (
        "`fallback_SCSV` (`-Z`)",
        "`tls_vulnerability_fallback_scsv`; sends TLS 1.1 + SCSV even to TLS 1.3 servers: not tested where that"
        " version is refused",
    ),
    "VULN-08": (
        "`TLS_extensions` lists extended master secret*",
        "`tls_vulnerability_extended_master_secret`; not tested on TLS 1.3 servers",
    ),
    "HTTP-01": ("`HSTS_time` >= the profile's max-age", "`strict_transport_security_header.max_age` >= the profile's"),
    "HTTP-02": (None, None),
    "HTTP-03": ("`banner_server` judged for a version*", None),
}


def check_mapping() -> None:
    missing = [cid for cid in CONTROLS if cid not in MAPPING]
    if missing:
        raise SystemExit(
            f"compare_scanners.MAPPING has no entry for {', '.join(missing)}: say what each scanner checks"
        )


# --- the report --------------------------------------------------------------------------------------------


def _cell(v: Optional[Verdict]) -> str:
    if v is None:
        return "-"
    if v["status"] == "n/t":
        return "n/t"
    text = v["status"].upper() if v["status"] in ("fail", "error") else v["status"]
    if v.get("scope") and v.get("ours_in_scope") is not None:
        text += f" (in scope: ours {v['ours_in_scope']})"
    return f"{text}*" if v.get("derived") else text


def _title(cid: str) -> str:
    control = CATALOG.get(cid)
    return getattr(control, "title", "") if control is not None else ""


def render_markdown(report: Dict[str, Any], endpoints: List[Endpoint], ours: Dict[str, Any]) -> str:
    t = report["timings"]
    lines = [
        "# Scanner comparison: tls_probe vs testssl.sh vs sslyze",
        "",
        f"Generated by `tools/compare_scanners.py` on {report['generated']} against the compliance lab",
        f"(`extensions/molecule/compliance/vars/lab.yml`): {len(endpoints)} endpoints, each with one fault (or none),",
        "served by nginx, Apache, HAProxy, lighttpd, stunnel and gnutls-serv from Debian 12's packages, and by",
        "the lab's Python servers where no packaged server can show the fault (SSLv3/SSLv2, Heartbleed, CCS",
        "injection, ROBOT, compression, an ignored TLS_FALLBACK_SCSV). Each endpoint is judged against its",
        "Mozilla profile (5.7, the version sslyze bundles).",
        f"Versions: {report['versions']['testssl']}; sslyze {report['versions']['sslyze']}.",
        "",
        "Cells: `pass`/`FAIL` the verdict; `*` the scanner reported what it saw (suites, groups, dates, key,",
        "headers...) and the profile's rule judged it; `n/t` the scanner has the check but its own code skips it",
        "here (not compared; listed below); `-` the scanner does not have the check.",
        "",
        "## Who checks what",
        "",
        "| control | what fails it | testssl.sh 3.0.8 | sslyze 6.3.1 |",
        "|---|---|---|---|",
    ]
    for cid in CONTROLS:
        testssl_how, sslyze_how = MAPPING[cid]
        lines.append(f"| {cid} | {_title(cid)} | {testssl_how or 'not checked'} | {sslyze_how or 'not checked'} |")
    lines += [
        "",
        "sslyze's `--mozilla_config` checker has no HSTS (disabled in its code), OCSP stapling (a TODO in its code),",
        "cipher order, session resumption or client renegotiation verdicts: those come from its scan commands.",
        "Neither scanner follows the port-80 redirect (HTTP-02). testssl.sh 3.0.8 has no rating; the grade",
        "(SSL Labs guide) is ours alone, shown per endpoint below.",
        "",
        "## Endpoints",
        "",
        "| endpoint | stack | profile | fault | controls failing (ours) | grade |",
        "|---|---|---|---|---|---|",
    ]
    for e in endpoints:
        result = ours.get(label(e), {})
        failing = sorted(cid for cid, f in result.get("findings", {}).items() if f["status"] in ("fail", "error"))
        grade = (result.get("grade") or {}).get("grade", "-")
        lines.append(
            f"| {label(e)} | {e['stack']} | {e['profile']} | {e['fault']} | {', '.join(failing) or 'none'} | {grade} |"
        )
    lines += [
        "",
        "## Per control: verdicts compared and agreeing (all endpoints)",
        "",
        "| control | testssl.sh agree / compared (n/t) | sslyze agree / compared (n/t) |",
        "|---|---|---|",
    ]
    totals = {"testssl": [0, 0], "sslyze": [0, 0]}
    for cid in CONTROLS:
        c = report["per_control"][cid]
        cells = []
        for judge in ("testssl", "sslyze"):
            compared, agree, nt = c[f"{judge}_compared"], c[f"{judge}_agree"], c[f"{judge}_not_tested"]
            totals[judge][0] += agree
            totals[judge][1] += compared
            if MAPPING[cid][0 if judge == "testssl" else 1] is None:
                cells.append("not checked")
            else:
                cells.append(f"{agree} / {compared}" + (f" ({nt})" if nt else ""))
        lines.append(f"| {cid} | {cells[0]} | {cells[1]} |")
    lines.append(
        f"| all | {totals['testssl'][0]} / {totals['testssl'][1]} | {totals['sslyze'][0]} / {totals['sslyze'][1]} |"
    )
    lines += [
        "",
        "## Every endpoint: the controls that fail anywhere",
        "",
        "| endpoint | control | ours | testssl.sh | sslyze | agree |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        cells = [row["ours"], row.get("testssl"), row.get("sslyze")]
        if not any(c and c["status"] in ("fail", "error") for c in cells):
            continue
        flagged = {(d["endpoint"], d["control"]) for d in report["disagreements"]}
        agree = "**NO**" if (row["endpoint"], row["control"]) in flagged else "yes"
        lines.append(
            f"| {row['endpoint']} | {row['control']} | {_cell(row['ours'])} | "
            f"{_cell(row.get('testssl'))} | {_cell(row.get('sslyze'))} | {agree} |"
        )
    lines += ["", "Every other (endpoint, control) pair passes with all three, or is not checked by a scanner.", ""]
    if report["not_tested"]:
        lines += ["## Not tested by a scanner here (its own code skips the test)", ""]
        reasons: Dict[Tuple[str, str, str], List[str]] = {}
        for n in report["not_tested"]:
            reasons.setdefault((n["judge"], n["control"], n["reason"]), []).append(n["endpoint"].split(".", 1)[0])
        for (judge, cid, reason), names in sorted(reasons.items()):
            lines.append(f"- {judge} {cid} on {', '.join(names)}: {reason}")
        lines.append("")
    lines += report.get("notes", [])
    lines += ["## Result", ""]
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
    lines += [
        "",
        f"Wall time here: ours {t['ours']:.1f} s for {len(endpoints)} endpoints (all checks), "
        f"testssl.sh {t['testssl']:.1f} s ({report['jobs']} in parallel, `{' '.join(TESTSSL_CHECKS)}`"
        + (", each faulty endpoint only its fault's groups" if report.get("testssl_scope") == "fault" else "")
        + "), "
        f"sslyze {t['sslyze']:.1f} s (one invocation per profile, in parallel)"
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
    if not match:
        return "unknown"
    return ("testssl.sh " + match.group(1)) if "testssl" in command[0] else match.group(1)


def contained(*addresses: str) -> bool:
    """The lab containment guard (lab/containment.py) for the addresses about to be scanned."""
    guard = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab", "containment.py")
    argv = [sys.executable, guard, "--quiet"]
    for address in addresses:
        argv += ["--address", address]
    return subprocess.run(argv, check=False).returncode == 0


def main(argv: Optional[List[str]] = None) -> int:
    check_mapping()
    parser = argparse.ArgumentParser(description="Compare tls_probe with testssl.sh and sslyze on the lab.")
    parser.add_argument("--lab", default=DEFAULT_LAB)
    parser.add_argument("--good-address", required=True, help="address of the right host")
    parser.add_argument("--faults-address", required=True, help="address of the faulty host")
    parser.add_argument("--ca-file", required=True, help="the lab root CA (PEM)")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--testssl", default=shutil.which("testssl") or "testssl")
    parser.add_argument("--sslyze", default=DEFAULT_SSLYZE if os.path.exists(DEFAULT_SSLYZE) else "sslyze")
    parser.add_argument("--jobs", type=int, default=6, help="testssl.sh processes at a time")
    parser.add_argument(
        "--testssl-scope",
        choices=["full", "fault"],
        default="full",
        help="testssl.sh checks: every one on every endpoint (full), or the right endpoint in full and each faulty"
        " one for its own fault (fault: the molecule scenario's, a fifth of the time)",
    )
    parser.add_argument("--only", default="", help="comma-separated endpoint names (default: all)")
    parser.add_argument("--reuse", action="store_true", help="reuse scanner JSON already in --out-dir")
    parser.add_argument("--check-expected", action="store_true", help="exit 2 when our failures differ from expect")
    parser.add_argument("--doc", help="also write the Markdown here (docs/scanner-comparison.md)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.ca_file):
        print(f"--ca-file {args.ca_file!r} is not a file", file=sys.stderr)
        return 3
    os.makedirs(args.out_dir, exist_ok=True)
    if not contained(args.good_address, args.faults_address):
        return 3
    endpoints = load_endpoints(args.lab, args.good_address, args.faults_address)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        endpoints = [e for e in endpoints if e["name"] in wanted]

    # Ours alone first (seconds for the whole lab), so the scanners' load does not time its connections out.
    ours, ours_time = run_ours(endpoints, args.ca_file)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        testssl_future = pool.submit(
            run_testssl, args.testssl, endpoints, args.ca_file, args.out_dir, args.jobs, args.reuse, args.testssl_scope
        )
        sslyze_future = pool.submit(run_sslyze, args.sslyze, endpoints, args.ca_file, args.out_dir, args.reuse)
        testssl, testssl_time = testssl_future.result()
        sslyze, sslyze_time = sslyze_future.result()

    previous = os.path.join(args.out_dir, "comparison.json")
    if args.reuse and os.path.exists(previous):  # the scanners did not run: keep the timings of the run that did
        with open(previous, encoding="utf-8") as handle:
            timings = json.load(handle).get("timings", {})
        testssl_time = timings.get("testssl", testssl_time)
        sslyze_time = timings.get("sslyze", sslyze_time)
    with open(os.path.join(args.out_dir, "ours.json"), "w", encoding="utf-8") as handle:
        json.dump(ours, handle, indent=2, default=str)
    report = compare(endpoints, ours, testssl, sslyze)
    report.update(
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        reused=args.reuse,
        jobs=args.jobs,
        testssl_scope=args.testssl_scope,
        timings={"ours": ours_time, "testssl": testssl_time, "sslyze": sslyze_time},
        versions={"testssl": _version([args.testssl, "--version"]), "sslyze": _version([args.sslyze, "--help"])},
    )
    with open(os.path.join(args.out_dir, "comparison.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, default=str)
    markdown = render_markdown(report, endpoints, ours)
    with open(os.path.join(args.out_dir, "comparison.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown)
    if args.doc:
        with open(args.doc, "w", encoding="utf-8") as handle:
            handle.write(markdown)
    print(markdown)
    if report["disagreements"]:
        return 1
    if args.check_expected and report["unexpected"]:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
