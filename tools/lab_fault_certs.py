# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificates that are wrong on purpose, for the compliance lab (controller side, cryptography).

``webedge.https.tls_lab_ca`` issues only good certificates. This script adds, next to a CA
directory made by it (``intermediate.crt``/``intermediate.key``), the two faults it cannot
make:

* ``expired.crt``/``expired.key``: issued by the lab intermediate, expired ``--expired-days-ago`` days ago;
* ``selfsigned.crt``/``selfsigned.key``: a self-signed server certificate.

Both come from the lab CA's own leaf builder (``plugins/plugin_utils/tls/lab_ca.py``
``build_leaf``: ``now`` in the past, or ``issuer=None``), so they are otherwise RFC 5280-complete
(SKI, AKI, critical KeyUsage and BasicConstraints, EKU serverAuth, SAN) and each carries exactly
one fault. Existing files are left alone (idempotent); keys are written with mode 0600.

Usage: lab_fault_certs.py CA_DIR --expired-name NAME --selfsigned-name NAME
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
from typing import Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIFETIME_DAYS = 90


def _lab_ca():  # type: ignore[no-untyped-def]
    """``lab_ca`` of this checkout (an ``ansible_collections/webedge/https`` path to it on sys.path)."""
    parent = os.path.dirname(REPO)
    if os.path.basename(parent) == "webedge" and os.path.basename(os.path.dirname(parent)) == "ansible_collections":
        root = os.path.dirname(os.path.dirname(parent))
    else:
        root = tempfile.mkdtemp(prefix="webedge-collections-")
        os.makedirs(os.path.join(root, "ansible_collections", "webedge"))
        os.symlink(REPO, os.path.join(root, "ansible_collections", "webedge", "https"))
    sys.path.insert(0, root)
    from ansible_collections.webedge.https.plugins.plugin_utils.tls import lab_ca

    return lab_ca


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("ca_dir", help="directory made by webedge.https.tls_lab_ca (intermediate.crt/.key)")
    parser.add_argument("--expired-name", required=True, help="DNS name of the expired certificate")
    parser.add_argument("--selfsigned-name", required=True, help="DNS name of the self-signed certificate")
    parser.add_argument("--expired-days-ago", type=int, default=10)
    args = parser.parse_args(argv)
    lab_ca = _lab_ca()
    from cryptography.hazmat.primitives import serialization

    def save(stem: str, cert, key) -> None:  # type: ignore[no-untyped-def]
        lab_ca.write_file(os.path.join(args.ca_dir, f"{stem}.key"), lab_ca._key_pem(key), 0o600)
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        lab_ca.write_file(os.path.join(args.ca_dir, f"{stem}.crt"), cert_pem, 0o644)

    made = []
    now = datetime.datetime.now(datetime.timezone.utc)
    if not os.path.exists(os.path.join(args.ca_dir, "expired.crt")):
        with open(os.path.join(args.ca_dir, "intermediate.crt"), "rb") as handle:
            cert_pem = handle.read()
        with open(os.path.join(args.ca_dir, "intermediate.key"), "rb") as handle:
            intermediate = lab_ca.load_pair(cert_pem, handle.read())
        # valid for LIFETIME_DAYS, ending --expired-days-ago days ago
        start = now - datetime.timedelta(days=args.expired_days_ago + LIFETIME_DAYS)
        save("expired", *lab_ca.build_leaf([args.expired_name], intermediate, valid_days=LIFETIME_DAYS, now=start))
        made.append("expired")
    if not os.path.exists(os.path.join(args.ca_dir, "selfsigned.crt")):
        save("selfsigned", *lab_ca.build_leaf([args.selfsigned_name], None, valid_days=LIFETIME_DAYS, now=now))
        made.append("selfsigned")
    print("made: " + (", ".join(made) if made else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
