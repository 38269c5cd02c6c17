# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``tls_certificate`` shows of a change: one diff per file, metadata and fingerprints only.

The module reports each file's state before the task (the public certificates it held, never a
key's content); :func:`build_diff` describes before and after with subject, expiry, SHA-256
fingerprint, key type, owner, group and mode, and for a key the SHA-256 of its public key.
Controller side (``cryptography``).
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate import (
    HAS_CRYPTOGRAPHY,
    ValidatedMaterial,
    certificate_info,
)

if HAS_CRYPTOGRAPHY:
    from cryptography import x509

__all__ = ["build_diff", "certificate_pems", "describe_certificates"]


def describe_certificates(pems: List[str]) -> List[Dict[str, Any]]:
    """Public metadata of PEM certificates (for the diff's 'before' side)."""
    out = []
    for pem in pems:
        try:
            cert = x509.load_pem_x509_certificate(to_bytes(pem))
        except ValueError:
            out.append({"unparsable": True})
            continue
        info = certificate_info(cert)
        out.append(
            {"subject": info.subject, "not_after": info.not_after, "sha256_fingerprint": info.sha256_fingerprint}
        )
    return out


def _lines(meta: Dict[str, Any]) -> str:
    out = []
    for key, value in meta.items():
        if isinstance(value, list):
            out.append(f"{key}:")
            for item in value:
                out.append("  - " + ", ".join(f"{k}: {v}" for k, v in item.items()))
        else:
            out.append(f"{key}: {value}")
    return "\n".join(out) + "\n"


def build_diff(
    files: List[Dict[str, Any]],
    material: ValidatedMaterial,
    chain_meta: List[Dict[str, Any]],
) -> List[Dict[str, str]]:
    """One diff per file, metadata only: never key material."""
    info = material.info
    leaf_meta = {"subject": info.subject, "not_after": info.not_after, "sha256_fingerprint": info.sha256_fingerprint}
    diffs = []
    for entry in files:
        role = entry["role"]
        before = entry["before"]
        attrs = {"owner_uid": entry["uid"], "group_gid": entry["gid"], "mode": entry["mode"]}
        if role == "key":
            after_meta: Dict[str, Any] = {
                "private key sha256 of public key": material.private_key_public_sha256,
                "key_type": f"{info.key_type} ({info.key_size} bits)",
            }
        elif role == "cert":
            after_meta = {**leaf_meta, "key_type": f"{info.key_type} ({info.key_size} bits)"}
        elif role == "chain":
            after_meta = {"certificates": chain_meta}
        else:
            after_meta = {"certificates": [leaf_meta, *chain_meta]}
        after_meta.update(attrs)
        if not before["exists"]:
            before_text = ""
        else:
            before_attrs = {"owner_uid": before["uid"], "group_gid": before["gid"], "mode": before["mode"]}
            if role == "key":
                same = not entry["content_changed"]
                before_meta: Dict[str, Any] = (
                    {k: v for k, v in after_meta.items() if k not in before_attrs}
                    if same
                    else {"private key": "a different key (content not shown)"}
                )
            elif role == "cert":
                described = describe_certificates(before.get("certificates", []))
                before_meta = dict(described[0]) if described else {"certificate": "no PEM certificate in the file"}
                if not entry["content_changed"]:
                    before_meta["key_type"] = after_meta["key_type"]
            else:
                before_meta = {"certificates": describe_certificates(before.get("certificates", []))}
            before_meta.update(before_attrs)
            before_text = _lines(before_meta)
        diffs.append(
            {
                "before_header": entry["path"] + (" (absent)" if not before["exists"] else ""),
                "after_header": entry["path"],
                "before": before_text,
                "after": _lines(after_meta),
            }
        )
    return diffs


def certificate_pems(data: bytes) -> List[str]:
    text = to_text(data)
    marker = "-----END CERTIFICATE-----"
    return [part.strip() + "\n" + marker + "\n" for part in text.split(marker) if part.strip()]
