# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificates that are wrong on purpose, for the compliance lab (controller side, cryptography).

``webedge.https.tls_lab_ca`` issues only good certificates. This script adds, next to a CA
directory made by it (``ca.crt``/``ca.key``, ``intermediate.crt``/``intermediate.key``), the
certificates of the lab file's ``lab_special_intermediates`` and ``lab_special_certificates``
(``extensions/molecule/compliance/vars/lab.yml``). Each entry carries one fault, or one feature:

* ``expired_days_ago: N``: expired N days ago (valid for 90 days before that);
* ``self_signed: true``: a self-signed server certificate;
* ``key_type: ec_p521|ec_p256|ec_p384|rsa2048...``: the leaf's key;
* ``valid_days: N``: the lifespan (default 90);
* ``ocsp_url: URL``: an Authority Information Access extension naming an OCSP responder;
* ``must_staple: true``: the TLS Feature extension (RFC 7633, status_request);
* ``ocsp_response: true``: also ``NAME.ocsp.der``, a "good" OCSP response for it signed by its issuer;
* ``issuer: NAME``: signed by a special intermediate instead of the lab intermediate; the served
  chain is then ``NAME.chain.crt`` (that intermediate). An intermediate's ``signature_hash: sha1``
  makes the root sign it with SHA-1.

Every certificate is otherwise RFC 5280-complete (SKI, AKI, critical KeyUsage and
BasicConstraints; leaves: EKU serverAuth and SAN), as ``plugins/plugin_utils/tls/lab_ca.py`` makes
them. Existing files are left alone (idempotent: prints ``made: nothing``); keys get mode 0600.

With ``--bundle OUT.tar --names a,b,...`` it instead packs, for each name, ``NAME.pem`` (the leaf),
``NAME.fullchain.pem`` (leaf and ``NAME.chain.crt`` or the lab intermediate), ``NAME.key`` (0600) and any
``NAME.ocsp.der``, into one tar for a lab host (one transfer instead of three per certificate). The tar
is byte-identical for identical inputs and rewritten only when its content changes (prints
``bundle: unchanged`` then).

Usage: lab_fault_certs.py CA_DIR --lab extensions/molecule/compliance/vars/lab.yml
       lab_fault_certs.py CA_DIR --bundle OUT.tar --names good,tls10,...
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import tarfile
from typing import Any, Dict, List, Optional, Tuple

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

LIFETIME_DAYS = 90
BACKDATE = datetime.timedelta(minutes=5)
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384}
# AlgorithmIdentifier DER of the SHA-1 signatures (RFC 3279 2.2.1, 2.2.3: RSA with NULL parameters, ECDSA without)
SHA1_ALGORITHMS = {
    "rsa": bytes.fromhex("300d06092a864886f70d0101050500"),
    "ec": bytes.fromhex("300906072a8648ce3d0401"),
}

Pair = Tuple[x509.Certificate, Any]


def generate_key(key_type: str) -> Any:
    if key_type.startswith("rsa") and key_type[3:].isdigit():
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))
    curves = {"ec_p256": ec.SECP256R1, "ec_p384": ec.SECP384R1, "ec_p521": ec.SECP521R1}
    if key_type not in curves:
        raise SystemExit(f"key_type {key_type!r}: use one of rsa2048/3072/4096, {', '.join(curves)}")
    return ec.generate_private_key(curves[key_type]())


def default_hash(signer: Any) -> hashes.HashAlgorithm:
    if isinstance(signer, ec.EllipticCurvePrivateKey) and signer.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def key_usage(ca: bool, rsa_key: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=rsa_key and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def build(
    subject_cn: str,
    key: Any,
    issuer: Optional[Pair],
    *,
    ca: bool,
    not_before: datetime.datetime,
    valid_days: int,
    hostnames: Optional[List[str]] = None,
    signature_hash: Optional[str] = None,
    ocsp_url: Optional[str] = None,
    must_staple: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    if ca:
        name = x509.Name([*name, x509.NameAttribute(NameOID.ORGANIZATION_NAME, "webedge lab")])
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    issuer_name = issuer_cert.subject if issuer_cert is not None else name
    issuer_public = issuer_cert.public_key() if issuer_cert is not None else key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before - BACKDATE)
        .not_valid_after(not_before + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(key_usage(ca, isinstance(key, rsa.RSAPrivateKey)), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
    )
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in hostnames or [subject_cn]]), critical=False
        )
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if must_staple:
        builder = builder.add_extension(x509.TLSFeature([x509.TLSFeatureType.status_request]), critical=False)
    digest = HASHES[signature_hash]() if signature_hash in HASHES else default_hash(issuer_key)
    cert = builder.sign(issuer_key, digest)
    return resign_sha1(cert, issuer_key) if signature_hash == "sha1" else cert


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _der_items(data: bytes) -> List[bytes]:
    """The encoded elements (tag, length and contents) inside the DER SEQUENCE ``data``."""
    offset = 2 + (data[1] & 0x7F if data[1] & 0x80 else 0)
    items = []
    while offset < len(data):
        head = data[offset + 1]
        count = head & 0x7F if head & 0x80 else 0
        size = int.from_bytes(data[offset + 2 : offset + 2 + count], "big") if count else head
        end = offset + 2 + count + size
        items.append(data[offset:end])
        offset = end
    return items


def resign_sha1(cert: x509.Certificate, issuer_key: Any) -> x509.Certificate:
    """The same certificate signed with SHA-1: cryptography no longer signs certificates with it, so
    the TBS part's signature AlgorithmIdentifier is swapped by hand, then signed and reassembled."""
    kind = "rsa" if isinstance(issuer_key, rsa.RSAPrivateKey) else "ec"
    items = _der_items(cert.tbs_certificate_bytes)
    items[2] = SHA1_ALGORITHMS[kind]  # after [0] version and the serial number
    tbs = _der(0x30, b"".join(items))
    if kind == "rsa":
        signature = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    else:
        signature = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA1()))
    body = tbs + SHA1_ALGORITHMS[kind] + _der(0x03, b"\x00" + signature)
    return x509.load_der_x509_certificate(_der(0x30, body))


def ocsp_good(cert: x509.Certificate, issuer: Pair, now: datetime.datetime) -> bytes:
    """A "good" OCSP response for ``cert``, signed by its issuer itself (RFC 6960 4.2.2.2), valid 7 days."""
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert,
            issuer[0],
            hashes.SHA1(),
            ocsp.OCSPCertStatus.GOOD,
            now - BACKDATE,
            now + datetime.timedelta(days=7),
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer[0])
        .sign(issuer[1], hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)


def write(path: str, content: bytes, mode: int) -> None:
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(path + ".tmp", path)


def load(ca_dir: str, stem: str) -> Pair:
    with open(os.path.join(ca_dir, f"{stem}.crt"), "rb") as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    with open(os.path.join(ca_dir, f"{stem}.key"), "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), None)
    return cert, key


def save(ca_dir: str, stem: str, cert: x509.Certificate, key: Any) -> None:
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write(os.path.join(ca_dir, f"{stem}.key"), key_pem, 0o600)
    write(os.path.join(ca_dir, f"{stem}.crt"), cert.public_bytes(serialization.Encoding.PEM), 0o644)


def make(ca_dir: str, intermediates: List[Dict[str, Any]], leaves: List[Dict[str, Any]]) -> List[str]:
    now = datetime.datetime.now(datetime.timezone.utc)
    made: List[str] = []
    root = load(ca_dir, "ca")
    issuers: Dict[str, Pair] = {"intermediate": load(ca_dir, "intermediate")}
    for spec in intermediates:
        name = spec["name"]
        if not os.path.exists(os.path.join(ca_dir, f"{name}.crt")):
            key = generate_key(spec.get("key_type", "ec_p256"))
            cert = build(
                f"webedge lab {name}",
                key,
                root,
                ca=True,
                not_before=now,
                valid_days=int(spec.get("valid_days", 3650)),
                signature_hash=spec.get("signature_hash"),
            )
            save(ca_dir, name, cert, key)
            made.append(name)
        issuers[name] = load(ca_dir, name)
    for spec in leaves:
        name, hostnames = spec["name"], list(spec["hostnames"])
        if os.path.exists(os.path.join(ca_dir, f"{name}.crt")):
            continue
        key = generate_key(spec.get("key_type", "ec_p256"))
        issuer_name = spec.get("issuer", "intermediate")
        issuer = None if spec.get("self_signed") else issuers[issuer_name]
        valid_days = int(spec.get("valid_days", LIFETIME_DAYS))
        start = (
            now - datetime.timedelta(days=int(spec["expired_days_ago"]) + valid_days)
            if "expired_days_ago" in spec
            else now
        )
        cert = build(
            hostnames[0],
            key,
            issuer,
            ca=False,
            not_before=start,
            valid_days=valid_days,
            hostnames=hostnames,
            ocsp_url=spec.get("ocsp_url"),
            must_staple=bool(spec.get("must_staple")),
        )
        if issuer is not None and issuer_name != "intermediate":
            write(os.path.join(ca_dir, f"{name}.chain.crt"), issuer[0].public_bytes(serialization.Encoding.PEM), 0o644)
        if spec.get("ocsp_response"):
            assert issuer is not None, f"{name}: an OCSP response needs an issuer"
            write(os.path.join(ca_dir, f"{name}.ocsp.der"), ocsp_good(cert, issuer, now), 0o644)
        save(ca_dir, name, cert, key)  # last: its presence says the entry is complete
        made.append(name)
    return made


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def bundle(ca_dir: str, names: List[str]) -> bytes:
    """The tar of every lab file of ``names`` (fixed owner, mtime and order: identical inputs, identical bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:

        def add(name: str, content: bytes, mode: int) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime, info.uid, info.gid = len(content), mode, 0, 0, 0
            tar.addfile(info, io.BytesIO(content))

        for name in names:
            leaf = _read(os.path.join(ca_dir, f"{name}.crt"))
            chain_path = os.path.join(ca_dir, f"{name}.chain.crt")
            chain = _read(chain_path if os.path.exists(chain_path) else os.path.join(ca_dir, "intermediate.crt"))
            add(f"{name}.pem", leaf, 0o644)
            add(f"{name}.fullchain.pem", leaf.rstrip(b"\n") + b"\n" + chain, 0o644)
            add(f"{name}.key", _read(os.path.join(ca_dir, f"{name}.key")), 0o600)
            ocsp_path = os.path.join(ca_dir, f"{name}.ocsp.der")
            if os.path.exists(ocsp_path):
                add(f"{name}.ocsp.der", _read(ocsp_path), 0o644)
    return buffer.getvalue()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("ca_dir", help="directory made by webedge.https.tls_lab_ca (ca.*, intermediate.*)")
    parser.add_argument("--lab", help="the lab file (lab_special_intermediates, lab_special_certificates)")
    parser.add_argument("--bundle", help="write the lab files of --names into this tar instead")
    parser.add_argument("--names", default="", help="comma-separated certificate names (with --bundle)")
    args = parser.parse_args(argv)
    if args.bundle:
        content = bundle(args.ca_dir, [n.strip() for n in args.names.split(",") if n.strip()])
        if os.path.exists(args.bundle) and _read(args.bundle) == content:
            print("bundle: unchanged")
        else:
            write(args.bundle, content, 0o600)
            print(f"bundle: {args.bundle} written")
        return 0
    if not args.lab:
        parser.error("--lab is required (or --bundle with --names)")
    with open(args.lab, encoding="utf-8") as handle:
        lab = yaml.safe_load(handle)
    made = make(args.ca_dir, lab.get("lab_special_intermediates", []), lab.get("lab_special_certificates", []))
    print("made: " + (", ".join(made) if made else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
