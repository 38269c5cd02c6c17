# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper of the acme scenario, run on a web host (python3 FILE SERVICE ADDRESS NAME...): what the host has
and serves for the ACME entry `site`, as one JSON object, read right after a killed run and after the re-runs:
the installed certificate (SHA-256 of the DER of the fullchain's first certificate, and of the certificate file),
the SHA-256 of the public key of that certificate and of the installed key (equal when they belong together),
every file of the private key directory with its mode and owner (a key's first copy is `.site.key.new`), the files
of the challenge directory and the order lists under /var/lib/webedge-https, the certificate served for each NAME
at ADDRESS:443 (SNI NAME) and the main PID of the web server's SERVICE. Only public data leaves the host."""

import hashlib
import json
import os
import pwd
import socket
import ssl
import subprocess
import sys

CERT_DIR = "/etc/ssl/webedge"
KEY_DIR = "/etc/ssl/webedge/private"
CHALLENGE_DIR = "/var/www/acme-challenge/.well-known/acme-challenge"
STATE_DIR = "/var/lib/webedge-https"
ENTRY = "site"
PORT = 443


def first_certificate(path: str) -> str:
    """The first PEM certificate of a file."""
    with open(path, encoding="ascii") as handle:
        text = handle.read()
    end = "-----END CERTIFICATE-----"
    return text[: text.index(end) + len(end)] + "\n"


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def public_half(argv: list) -> str:
    """SHA-256 of the public key openssl prints (PEM), or the error."""
    done = subprocess.run(argv, capture_output=True, check=False)
    if done.returncode != 0:
        return "error: " + done.stderr.decode(errors="replace").strip()
    return hashlib.sha256(done.stdout).hexdigest()


def served(address: str, name: str) -> str:
    """SHA-256 of the DER of the leaf certificate served at address:443 for SNI name (not verified: any is read)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        raw = socket.create_connection((address, PORT), timeout=10)
        with context.wrap_socket(raw, server_hostname=name) as tls:
            return fingerprint(tls.getpeercert(binary_form=True))
    except OSError as error:
        return f"error: {error}"


def listing(directory: str, prefix: str = "") -> list:
    try:
        return sorted(name for name in os.listdir(directory) if name.startswith(prefix))
    except FileNotFoundError:
        return []


def main_pid(service: str) -> str:
    done = subprocess.run(
        ["systemctl", "show", "-p", "MainPID", "--value", service], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def read_state(service: str, address: str, names: list) -> dict:
    fullchain = f"{CERT_DIR}/{ENTRY}.fullchain.pem"
    key = f"{KEY_DIR}/{ENTRY}.key"
    leaf = first_certificate(fullchain)
    private = {}
    for name in listing(KEY_DIR):
        info = os.lstat(os.path.join(KEY_DIR, name))
        private[name] = f"{info.st_mode & 0o7777:o} {pwd.getpwuid(info.st_uid).pw_name}"
    cert_file = f"{CERT_DIR}/{ENTRY}.crt"
    return {
        "installed": fingerprint(ssl.PEM_cert_to_DER_cert(leaf)),
        "cert": fingerprint(ssl.PEM_cert_to_DER_cert(first_certificate(cert_file)))
        if os.path.exists(cert_file)
        else None,
        "cert_public": public_half(["openssl", "x509", "-in", fullchain, "-noout", "-pubkey"]),
        "key_public": public_half(["openssl", "pkey", "-in", key, "-pubout"]),
        "private": private,
        "challenges": listing(CHALLENGE_DIR),
        "lists": listing(STATE_DIR, "acme-challenges."),
        "served": {name: served(address, name) for name in names},
        "pid": main_pid(service),
    }


def main() -> None:
    print(json.dumps(read_state(sys.argv[1], sys.argv[2], sys.argv[3:]), sort_keys=True))


if __name__ == "__main__":
    main()
