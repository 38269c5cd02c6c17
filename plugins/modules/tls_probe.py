#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tls_probe
short_description: Probe many HTTPS endpoints at once - protocols, suites, groups, vulnerabilities, certificate, grade
version_added: 0.1.0
description:
  - Connects to every target concurrently and reports, per endpoint, which protocol versions are
    accepted (SSLv2 to TLS 1.3), every cipher suite accepted with each version (TLS 1.3 suites included),
    every key exchange group accepted with TLS 1.3 and TLS 1.2 (elliptic curves, ffdhe, ML-KEM hybrids), the
    DHE and ECDHE sizes, whether the server imposes its suite order, what a default client negotiates
    (version, cipher, group), the certificate and every certificate of the served chain (chain trust,
    hostname match, expiry, key, signature, intermediates served, OCSP responders, must-staple), the
    stapled OCSP response, the HSTS header, the port-80 redirect and the Server header.
  - It also answers the vulnerability questions of sslyze and testssl.sh - Heartbleed, OpenSSL CCS injection,
    ROBOT, secure renegotiation (RFC 5746), client-initiated renegotiation, TLS compression, TLS_FALLBACK_SCSV,
    extended master secret and session resumption - and grades each endpoint like SSL Labs (RV(results[].grade)).
  - Like sslyze's Mozilla checker, it judges what the server B(accepts), not only what a default client
    negotiates. One connection per question, every question of every endpoint at once; TLS 1.3 suites and
    groups are read from HelloRetryRequests, which cost the server no signature.
  - SSLv2, SSLv3, TLS 1.0 and TLS 1.1 are detected with hand-built ClientHello messages, so the answer
    does not depend on what the local TLS library is willing to offer.
  - The hostname check is never disabled; a mismatch is reported as C(hostname_valid=false) in
    RV(results[].certificate) while everything else is still collected.
  - Each result carries C(findings), the compliance controls (C(TLS-01) ..., C(VULN-01) ...) evaluated against
    O(profile); C(docs/controls.md) lists them with their fixes for nginx, Apache and IIS/SCHANNEL.
  - Network trouble (a name that does not resolve, a closed port, a timeout, a service that is not TLS)
    becomes that target's C(error); the task itself only fails for invalid options, or with O(fail_on_error).
  - The module runs where Ansible executes it. To probe from the controller (the usual case), delegate the task
    to C(localhost) and set C(run_once); to probe from a host's point of view, run it on that host.
  - The key type, size and curve and the signature algorithm of every served certificate, the OCSP responders
    and must-staple are read with the probe's own DER reader wherever it runs. C(self_signed),
    C(intermediates_served), the certificate names of an unverified chain, and the chain check of endpoints the
    local TLS library cannot handshake with (SSLv3 only) need the C(cryptography) library, which only the
    controller is assumed to have. They are read when the probe runs inside Ansible's own process on the
    controller (C(delegate_to=localhost) without C(become), C(environment) or C(async)). Run as a module (on a
    host, or on the controller with C(become)), the probe uses the Python standard library only; those fields
    are null, a warning says so, and the control that needs them (C(TLS-12)) is C(error), not C(pass) or C(fail).
author:
  - webedge.https contributors (@webedge)
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.controller_side.in_process
attributes:
  async:
    support: full
    details: An async task runs the module, not the in-process probe.
  become:
    support: full
    details: With C(become) the module runs (also on the controller), so certificate details that need
      C(cryptography) are null.
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: The module only reads; it reports the same in check mode.
  connection:
    support: full
  delegation:
    support: full
    details: Delegate to C(localhost) to probe from the controller, in-process.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
  safe_file_operations:
    support: none
    details: The module writes no file.
  vault:
    support: none
    details: The module reads no controller file but O(ca_file), which is read as given.
options:
  targets:
    description:
      - Endpoints to probe.
      - A string C(host), C(host:port), C([v6addr]:port) or a bare IPv6 address; the port defaults to 443.
      - Or an C(https://) URL such as C(https://www.example.com:8443/login); its host and port are probed
        (the path is ignored). Other schemes are refused.
      - Or a dictionary with C(host) (required), C(port), C(server_name) (SNI and Host header, default the
        host), C(address) (connect to this address instead of resolving C(host)) and C(http_port) (this
        endpoint's plain-HTTP port for the redirect check, default O(http_port)).
    type: list
    elements: raw
    required: true
  ca_file:
    description:
      - PEM bundle of trust anchors for the chain check. Default is the system store of the host running
        the probe.
    type: path
  timeout:
    description:
      - Timeout in seconds for each connection and each answer.
      - All of one endpoint's connections end within twice this time (one for the version probes the other
        questions wait for, one for those questions), however slowly the server answers.
    type: float
    default: 5
  concurrency:
    description:
      - How many endpoints are probed at the same time.
      - Each endpoint in flight uses up to 8 connections at once (one per question; chains of questions
        reuse their thread, about 40 questions in all).
    type: int
    default: 32
  http_checks:
    description: Also C(GET /) over TLS (HSTS and Server headers) and check the plain-HTTP redirect.
    type: bool
    default: true
  http_port:
    description: Port of the plain-HTTP redirect check, for targets that do not give their own C(http_port).
    type: int
    default: 80
  profile:
    description:
      - Mozilla TLS profile the C(findings) are evaluated against.
      - V(old) exists only in guideline version 5.7.
    type: str
    choices: [modern, intermediate, old]
    default: intermediate
  profile_version:
    description: Version of the Mozilla Server Side TLS guidelines that defines O(profile).
    type: str
    choices: ["5.7", "6.0"]
    default: "5.7"
  min_days_valid:
    description: Certificates expiring in fewer days than this get a C(TLS-10) warning finding.
    type: int
    default: 30
  fail_on_error:
    description: Fail the task when any target could not be probed (its C(error) is set).
    type: bool
    default: false
  skip_controls:
    description:
      - Control IDs whose findings are reported as C(skip) (not checked, disabled by configuration) instead of
        judged, like the C(webedge.https.compliance) role's C(compliance_skip_controls). The
        grade still rates what was measured.
      - An ID the control catalog does not know fails the task before anything is probed; host control IDs are
        accepted and change nothing (endpoints have no host findings).
    type: list
    elements: str
    default: []
requirements:
  - Python 3.8 or later on the host running the probe (the standard library only).
  - For the certificate details that need a certificate parser, the probe running in-process on the controller,
    which has C(cryptography) (an ansible-core dependency).
notes:
  - Revocation is judged only from a stapled OCSP response (its status); the OCSP responder is never queried.
  - The vulnerability questions that need more than a ServerHello (Heartbleed, CCS injection, ROBOT,
    renegotiation) use the probe's own minimal TLS client; it never decrypts what the server sends and trusts
    nothing it reads.
  - The served chain is read from the cleartext TLS 1.2 Certificate message; for a TLS 1.3-only server it comes
    from Python's C(ssl) (Python 3.10 and later), else C(intermediates_served) and C(chain_length) are null.
seealso:
  - name: Mozilla Server Side TLS
    description: The profiles the findings are checked against.
    link: https://wiki.mozilla.org/Security/Server_Side_TLS
"""

EXAMPLES = r"""
- name: Probe the web servers from the controller
  webedge.https.tls_probe:
    targets: "{{ groups['web'] | map('extract', hostvars, 'ansible_host') | list }}"
    ca_file: /etc/pki/lab-ca.pem
  delegate_to: localhost
  run_once: true
  register: probe

- name: Probe by IP address while presenting a name (SNI and Host header)
  webedge.https.tls_probe:
    targets:
      - host: www.example.com
        address: 192.0.2.10
      - "[2001:db8::10]:8443"
      - api.example.com:443
      - https://shop.example.com:8443/cart
      - host: legacy.example.com
        http_port: 8080
    profile: modern
    profile_version: "6.0"
    fail_on_error: true
  delegate_to: localhost
  run_once: true

- name: Fail when an endpoint still accepts TLS 1.0
  ansible.builtin.assert:
    that: item.protocols['TLSv1'] is false
    fail_msg: "{{ item.target }} accepts TLS 1.0"
  loop: "{{ probe.results }}"
  loop_control:
    label: "{{ item.target }}"

- name: Probe from a host's own point of view (no delegation), without HTTP checks
  webedge.https.tls_probe:
    targets: [localhost:443]
    http_checks: false
"""

RETURN = r"""
results:
  description: One entry per target, in the order of O(targets).
  returned: always
  type: list
  elements: dict
  contains:
    target:
      description: C(host:port) (C([v6]:port) for IPv6 literals).
      type: str
      sample: www.example.com:443
    host:
      description: The host as given.
      type: str
    port:
      description: The TLS port.
      type: int
    server_name:
      description: The name sent in SNI and the Host header, and checked against the certificate.
      type: str
    error:
      description: Why the endpoint could not be probed (null when it could).
      type: str
      sample: connection refused
    protocols:
      description:
        - Keys C(SSLv2), C(SSLv3), C(TLSv1), C(TLSv1.1), C(TLSv1.2), C(TLSv1.3).
        - V(true) accepted, V(false) refused, null unknown (no answer).
      type: dict
      sample: {"SSLv2": false, "SSLv3": false, "TLSv1": false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true}
    negotiated:
      description: What a default client negotiated - C(version), C(cipher) (IANA), C(cipher_openssl), C(group).
      type: dict
      sample: {"version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384",
               "cipher_openssl": "TLS_AES_256_GCM_SHA384", "group": "x25519"}
    tls12_ciphers:
      description: IANA names of the TLS 1.2 suites accepted (empty when TLS 1.2 is refused; null if unknown).
      type: list
      elements: str
    tls13_ciphers:
      description: IANA names of the TLS 1.3 suites accepted (empty when TLS 1.3 is refused; null if unknown).
      type: list
      elements: str
      sample: ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    legacy_ciphers:
      description: For each version below TLS 1.2 the server accepts (C(TLSv1.1), C(TLSv1), C(SSLv3)), the IANA names
        of the suites accepted with it (null if they could not be enumerated).
      type: dict
      sample: {"TLSv1": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]}
    key_exchange:
      description:
        - C(groups_tls13) and C(groups_tls12), every key exchange group accepted (IANA names such as V(x25519),
          V(secp256r1), V(ffdhe2048), V(X25519MLKEM768)); C(suite_groups), the group (or V(DH-<bits>)) each
          accepted suite up to TLS 1.2 used; C(dh_bits) and C(ecdh_bits), the smallest DHE and ECDHE sizes;
          C(server_order), whether the server imposes its suite order (null when undetermined).
      type: dict
      sample: {"groups_tls13": ["x25519", "secp256r1", "secp384r1"], "groups_tls12": ["x25519", "secp256r1"],
               "suite_groups": {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "x25519"}, "dh_bits": null,
               "ecdh_bits": 256, "server_order": false}
    ocsp:
      description: The stapled OCSP response - C(stapled) (null when it could not be asked), C(response_status),
        C(cert_status) (V(good), V(revoked), V(unknown)).
      type: dict
      sample: {"stapled": true, "response_status": "successful", "cert_status": "good"}
    vulnerabilities:
      description:
        - One entry per question (C(heartbleed), C(ccs_injection), C(robot), C(secure_renegotiation),
          C(client_renegotiation), C(compression), C(fallback_scsv), C(extended_master_secret),
          C(session_resumption_ids), C(session_resumption_tickets)), each with C(applicable) (false when the
          question does not arise, e.g. on a TLS 1.3-only server), C(value) (null when undetermined) and
          C(reason).
        - C(robot) is V(strong_oracle), V(weak_oracle) or V(no_oracle); the others are booleans in the sense of
          their name (vulnerable, supported, accepted, honoured, resumed).
      type: dict
      sample: {"heartbleed": {"applicable": true, "value": false, "reason": "no heartbeat answer"}}
    grade:
      description:
        - An SSL Labs-style grade (SSL Server Rating Guide 2009r) - C(grade) (A+ to F, T untrusted, M name
          mismatch), C(score) and the three category scores C(protocol), C(key_exchange), C(cipher), the C(caps)
          and C(warnings) behind it, C(incomplete) (what could not be read) and C(guide); null when the target
          could not be probed.
      type: dict
      sample: {"grade": "A+", "score": 93, "protocol": 100, "key_exchange": 90, "cipher": 90, "caps": [],
               "warnings": [], "incomplete": [], "guide": "SSL Labs SSL Server Rating Guide 2009r"}
    certificate:
      description:
        - The served certificate - C(subject), C(issuer), C(sans), C(not_before), C(not_after), C(days_remaining),
          C(hostname_valid), C(chain_valid), C(chain_error), C(self_signed), C(key_type), C(key_size), C(curve),
          C(signature_algorithm), C(sha256_fingerprint), C(intermediates_served), C(chain_length), C(ocsp_urls),
          C(must_staple).
        - C(chain) lists every served certificate, leaf first, with C(subject), C(issuer), C(key_type),
          C(key_size), C(curve), C(signature_algorithm), C(self_signed), C(sha256_fingerprint).
        - Null when no certificate was obtained.
      type: dict
    hsts:
      description: C(present), C(max_age), C(include_subdomains), C(preload), C(raw); null when not checked.
      type: dict
    redirect:
      description: The plain-HTTP answer - C(checked), C(status), C(location), C(to_https_same_host), C(error).
      type: dict
    server_header:
      description: The Server header of the HTTPS answer.
      type: str
      sample: nginx/1.22.1
    server_header_has_version:
      description: Whether the Server header reveals a version.
      type: bool
    findings:
      description: Compliance findings keyed by control ID, each with C(control), C(status), C(severity), C(message).
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.compliance.probe_task import (
    ProbeTaskError,
    run_probe_task,
)
from ansible_collections.webedge.https.plugins.module_utils.specs.tls_probe import module_kwargs


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    try:
        outcome = run_probe_task(module.params)
    except ProbeTaskError as exc:
        module.fail_json(msg=str(exc))
    for warning in outcome.warnings:
        module.warn(warning)
    if outcome.failure:
        module.fail_json(msg=outcome.failure, results=outcome.results)
    module.exit_json(changed=False, results=outcome.results)


if __name__ == "__main__":
    main()
