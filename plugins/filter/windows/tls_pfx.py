# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_pfx filter: validate PEM material on the controller and pack it as PKCS#12 for Windows."""

from __future__ import annotations

DOCUMENTATION = r"""
name: tls_pfx
short_description: Validate a PEM certificate and key on the controller and pack them as a PKCS#12 (PFX) for Windows
version_added: 0.1.0
description:
  - Runs the checks of M(webedge.https.tls_certificate) on the controller (the key belongs to the certificate,
    the chain links and is put in order, dates, O(min_days_valid), O(hostnames), key strength, no SHA-1
    signature), then builds a PKCS#12 archive of the key, the leaf and the intermediate certificates,
    encrypted with a random one-time password.
  - The result holds the archive (base64) and its password. Use it only in tasks with C(no_log=true), and keep
    it out of C(debug) output and registered results that are printed; hand both to the host as
    C(sensitive_parameters) of M(ansible.windows.win_powershell). Each call makes a new password, so
    evaluate it once (C(set_fact) with C(no_log)) and use that value.
  - Self-signed certificates in the chain (roots) are left out, with a warning; trust anchors are the
    client's business, and a server does not send them.
  - Needs the Python C(cryptography) library on the controller.
author:
  - webedge.https contributors
options:
  _input:
    description: PEM certificate; further certificates after the leaf are read as the chain.
    type: string
    required: true
  private_key:
    description: PEM private key of the certificate (PKCS#8, PKCS#1 or SEC1; may be encrypted).
    type: string
    required: true
  chain:
    description: PEM intermediate certificates (any order).
    type: string
  passphrase:
    description: Passphrase of an encrypted O(private_key).
    type: string
  hostnames:
    description: Names the certificate must cover (subjectAltName, RFC 6125 wildcards).
    type: list
    elements: string
    default: []
  min_days_valid:
    description: The certificate must stay valid at least this many days.
    type: int
    default: 0
  encryption:
    description:
      - V(aes256) - PBES2 with AES-256-CBC and PBKDF2-SHA256, SHA-256 MAC; Windows Server 2019 and newer import it.
      - V(legacy) - PBES1 3DES with SHA-1, SHA-1 MAC, for Windows Server 2016, which cannot read V(aes256). The
        archive only travels inside the (encrypted) WinRM or SSH connection and is never written to disk, with a
        one-time password.
    type: string
    choices: [aes256, legacy]
    default: aes256
  friendly_name:
    description: Friendly name stored with the key and certificate (shown by the Windows certificate store).
    type: string
"""

EXAMPLES = r"""
- name: Pack the site certificate for the Windows certificate store (evaluated once, never printed)
  ansible.builtin.set_fact:
    site_pfx: >-
      {{ lookup('ansible.builtin.file', 'files/www.crt')
         | webedge.https.windows.tls_pfx(private_key=lookup('ansible.builtin.file', 'files/www.key'),
                                 hostnames=['www.example.com'], min_days_valid=30) }}
  no_log: true

- name: Show what is public about it
  ansible.builtin.debug:
    msg: "{{ site_pfx.thumbprint }} {{ site_pfx.subject }} until {{ site_pfx.not_after }}"
"""

RETURN = r"""
_value:
  description:
    - C(pfx_base64) - the PKCS#12 archive, base64. Key material, encrypted with C(password).
    - C(password) - the archive's one-time password. Secret.
    - C(thumbprint) - SHA-1 of the leaf certificate, upper-case hex, as Windows names it
      (C(Cert:\LocalMachine\My\THUMBPRINT)).
    - C(chain_thumbprints) - thumbprints of the intermediate certificates in the archive, leaf's issuer first.
    - C(sha256_fingerprint), C(subject), C(subject_alt_names), C(issuer), C(not_before), C(not_after),
      C(days_remaining), C(key_type), C(key_size), C(serial_number) - public facts about the leaf.
    - C(friendly_name), C(encryption), C(warnings) (list of strings, about partial wildcards and roots left out).
  type: dict
"""

import base64
import secrets
from typing import Any, Callable, Dict, List, Optional, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.plugin_utils.tls import certificate as tls_cert

if tls_cert.HAS_CRYPTOGRAPHY:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

ENCRYPTIONS = ("aes256", "legacy")
# The leaf's key types SCHANNEL can serve (no Ed25519 server certificates on Windows).
KEY_TYPES = ("rsa", "ec_p256", "ec_p384")


def _text(value: Any, what: str) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if not isinstance(value, str):
        raise AnsibleFilterError(f"tls_pfx: {what} must be PEM text, got a {type(value).__name__}")
    return value


def thumbprint(cert: Any) -> str:
    """What Windows calls the thumbprint: SHA-1 of the DER certificate, upper-case hex."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # an identifier, not a signature


def _encryption(kind: str, password: bytes) -> Any:
    builder = serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(100000)
    if kind == "legacy":
        builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
    else:
        builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
    return builder.build(password)


def tls_pfx(
    certificate: Any,
    private_key: Any = None,
    chain: Any = None,
    passphrase: Optional[str] = None,
    hostnames: Sequence[str] = (),
    min_days_valid: int = 0,
    encryption: str = "aes256",
    friendly_name: Optional[str] = None,
) -> Dict[str, Any]:
    if not tls_cert.HAS_CRYPTOGRAPHY:
        raise AnsibleFilterError(
            f"tls_pfx needs the Python 'cryptography' library on the controller: {tls_cert.CRYPTOGRAPHY_IMPORT_ERROR}"
        )
    if encryption not in ENCRYPTIONS:
        raise AnsibleFilterError(f"tls_pfx: encryption must be one of {', '.join(ENCRYPTIONS)}, got {encryption!r}")
    if private_key is None or (isinstance(private_key, str) and not private_key.strip()):
        raise AnsibleFilterError("tls_pfx: private_key is required (the PEM private key of the certificate)")
    if isinstance(hostnames, str) or not all(isinstance(h, str) for h in hostnames):
        raise AnsibleFilterError(f"tls_pfx: hostnames must be a list of names, got {hostnames!r}")
    try:
        days = int(min_days_valid)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"tls_pfx: min_days_valid must be a number of days, got {min_days_valid!r}") from None
    try:
        material = tls_cert.validate(
            certificate=_text(certificate, "the certificate"),
            private_key=_text(private_key, "private_key"),
            chain=_text(chain, "chain") if chain else None,
            passphrase=passphrase or None,
            hostnames=list(hostnames),
            min_days_valid=days,
            key_types=KEY_TYPES,
        )
    except tls_cert.CertificateError as exc:
        raise AnsibleFilterError(f"tls_pfx: certificate validation failed: {exc}") from None

    if material.private_key_pem is None:  # validate() returns the key it was given; never reached
        raise AnsibleFilterError("tls_pfx: the private key was lost in validation")
    key, _block, _encrypted = tls_cert.load_private_key(material.private_key_pem)
    leaf = x509.load_pem_x509_certificate(material.certificate_pem)
    chain_certs = tls_cert.load_certificates(material.chain_pem, "chain") if material.chain_pem else []
    warnings: List[str] = list(material.warnings)
    intermediates = []
    for cert in chain_certs:
        if cert.subject == cert.issuer:
            warnings.append(
                f"self-signed certificate {cert.subject.rfc4514_string()!r} left out of the PFX: "
                "a server does not send its root, clients have it"
            )
        else:
            intermediates.append(cert)

    info = material.info
    name = friendly_name or f"webedge.https {info.subject} until {info.not_after[:10]}"
    password = secrets.token_urlsafe(32)
    pfx = pkcs12.serialize_key_and_certificates(
        name=name.encode("utf-8"),
        key=key,
        cert=leaf,
        cas=intermediates or None,
        encryption_algorithm=_encryption(encryption, password.encode("ascii")),
    )
    return {
        "pfx_base64": base64.b64encode(pfx).decode("ascii"),
        "password": password,
        "thumbprint": thumbprint(leaf),
        "chain_thumbprints": [thumbprint(c) for c in intermediates],
        **{key: value for key, value in info.to_dict().items() if key != "signature_algorithm"},
        "friendly_name": name,
        "encryption": encryption,
        "warnings": warnings,
    }


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"tls_pfx": tls_pfx}
