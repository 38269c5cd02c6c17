#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tls_certificate
short_description: Validate a TLS certificate, key and chain on the controller, then install them atomically
version_added: 0.1.0
description:
  - Validates certificate material B(on the controller) before anything reaches the host, then writes
    exactly the validated files on the host.
  - "Checks: PEM parses; the private key matches the certificate; the chain links (each certificate
    signed by the next; a chain given out of order is put in order, a missing link fails); the leaf is
    valid now and for at least O(min_days_valid) more days, the chain certificates are valid now;
    every name in O(hostnames) is covered by the subjectAltNames (RFC 6125 wildcards, IDN names as
    A-labels); the key type is in O(key_types) and RSA keys have at least O(min_rsa_bits) bits;
    no SHA-1 or MD5 signatures."
  - A failed check fails the task with a message naming the problem, and leaves the files on the
    host as they were. The module on the host is never given a key that failed validation.
  - Writes are atomic (temporary file in the destination directory, then rename). Temporary files are
    created with mode C(0600) and get their final owner and mode before any byte is written, so the
    private key is never readable by others, not even for a moment.
  - The task reports C(changed) only when the bytes, the owner, the group or the mode differ.
  - Check mode and diff mode never show key material. The diff shows metadata and fingerprints; for the
    key, the SHA-256 of its public key.
  - Validation uses the Python C(cryptography) library on the controller. The host needs Python 3.8 or
    later, and C(openssl) only with O(host_private_key).
author:
  - webedge.https contributors (@webedge)
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.controller_side.cryptography
  - action_common_attributes.files
attributes:
  action:
    support: full
    details: The action plugin reads and validates the material on the controller, then runs the module on the
      host with the validated PEM only.
  async:
    support: none
  become:
    support: full
    details: The module writes the files on the host as the become user.
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  connection:
    support: full
  delegation:
    support: full
  diff_mode:
    support: full
    details: The diff shows subject, not_after, SHA-256 fingerprint, key type, owner, group and mode,
      never key material. For the private key it shows the SHA-256 of its public key.
  platform:
    support: N/A
    platforms: posix
  safe_file_operations:
    support: partial
    details: Writes through its own atomic temporary-file-and-rename (the temporary file is created C(0600) and gets
      its final owner and mode before any content), applying the SELinux default context of the destination.
  vault:
    support: full
    details: Controller files given in O(certificate), O(private_key) and O(chain) may be vault-encrypted;
      inline content may come from vaulted variables.
options:
  certificate:
    description:
      - Path of the PEM certificate. On the controller (searched in the role or playbook C(files/)
        directories like M(ansible.builtin.copy)), or on the host with O(remote_src=true).
      - A file with several certificates is read as the leaf first, followed by chain certificates.
      - Exactly one of O(certificate) and O(certificate_content) is required.
    type: path
  certificate_content:
    description:
      - The PEM certificate itself. Mutually exclusive with O(certificate).
    type: str
  private_key:
    description:
      - Path of the PEM private key, on the controller or on the host with O(remote_src=true).
      - Read with C(no_log) when fetched from the host.
      - One of O(private_key), O(private_key_content) and O(host_private_key) is required when O(key_path) is set.
    type: path
  private_key_content:
    description:
      - The PEM private key itself, for example from an Ansible Vault variable.
      - Mutually exclusive with O(private_key).
    type: str
  host_private_key:
    description:
      - Path of a private key that already lives B(on the host), for example made there by the C(webedge.https.tls)
        role from which only a CSR left the host. The controller never reads it.
      - On the host, C(openssl pkey -pubout) gives its public key, which must be the certificate's (compared byte
        for byte with the certificate's SubjectPublicKeyInfo); otherwise the task fails and nothing is written.
      - The key is written to O(key_path) (default, this path itself) with O(owner), O(group) and O(mode), in the
        same all-or-nothing step as the certificate files. The diff and RV(private_key_public_sha256) name it by the
        SHA-256 of its public key.
      - Mutually exclusive with O(private_key) and O(private_key_content). Needs C(openssl) on the host.
    type: path
  remove_host_private_key:
    description:
      - Remove the file O(host_private_key) once its content is installed at a different O(key_path), in the same
        module run (for a first copy made beside the current key, as the C(webedge.https.tls) role does). A
        controller that dies after the task leaves no second copy of the key on the host.
      - Nothing is removed in check mode, when the task fails, or when O(key_path) is O(host_private_key) itself.
      - The removed path is listed in RV(removed_paths).
    type: bool
    default: false
  private_key_passphrase:
    description:
      - Passphrase of an encrypted private key.
    type: str
  decrypt_private_key:
    description:
      - When the private key is encrypted, write it decrypted (PKCS#8) so that the web server starts without
        asking for a passphrase. With V(false) the encrypted PEM is written as given.
    type: bool
    default: true
  chain:
    description:
      - Path of the PEM intermediate certificates, in any order, on the controller or on the host with
        O(remote_src=true).
    type: path
  chain_content:
    description:
      - The PEM intermediate certificates themselves. Mutually exclusive with O(chain).
    type: str
  remote_src:
    description:
      - Read O(certificate), O(private_key) and O(chain) on the host instead of the controller. The files are
        fetched to the controller for validation (the key with C(no_log)).
    type: bool
    default: false
  cert_path:
    description:
      - Where to write the certificate (the leaf alone) on the host. The directory must exist.
    type: path
  key_path:
    description:
      - Where to write the private key on the host, with O(owner), O(group) and O(mode).
    type: path
  chain_path:
    description:
      - Where to write the ordered chain (intermediates, without the leaf) on the host.
    type: path
  fullchain_path:
    description:
      - Where to write the leaf followed by the ordered chain (what nginx's C(ssl_certificate) wants).
    type: path
  owner:
    description:
      - Owner of the written files (name or uid). When omitted, an existing file keeps its owner and a new
        one belongs to the remote user.
    type: str
  group:
    description:
      - Group of the written files (name or gid). When omitted, an existing file keeps its group.
    type: str
  mode:
    description:
      - Octal mode of the private key file, such as V('0600') or V('0640'). Modes that give any permission to
        others are refused. Certificate, chain and full-chain files are always V('0644').
    type: raw
    default: '0600'
  hostnames:
    description:
      - Names (or IP addresses) the certificate must cover through its subjectAltNames.
      - Wildcards follow RFC 6125, only in the left-most label, covering exactly one label (not the bare parent
        domain). Partial-label wildcards such as C(www*.example.com) match as RFC 6125 allows, with a warning,
        since browsers reject them. Internationalised names are compared in A-label (punycode) form.
    type: list
    elements: str
    default: []
  min_days_valid:
    description:
      - The certificate must stay valid for at least this many days from now.
    type: int
    default: 30
  key_types:
    description:
      - Key types accepted for the certificate. Add V(ed25519) only where the web server and its clients
        support Ed25519 certificates.
    type: list
    elements: str
    choices: [rsa, ec_p256, ec_p384, ed25519]
    default: [rsa, ec_p256, ec_p384]
  min_rsa_bits:
    description:
      - Smallest RSA key size accepted, for the certificate and its chain.
    type: int
    default: 2048
  backup:
    description:
      - Before replacing a file whose content changes, keep a timestamped copy next to it (same owner and mode).
    type: bool
    default: false
  directories:
    description:
      - Directories to create when missing (with their missing parents) and whose owner, group and mode to set,
        in the order given, before the files are written. One task instead of a M(ansible.builtin.file) task per
        directory (the tls role passes its certificate and private key directories here).
      - In check mode a missing directory is predicted, and the files in it are predicted as new.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Owner (name or uid). When omitted, an existing directory keeps its owner.
        type: str
      group:
        description: Group (name or gid). When omitted, an existing directory keeps its group.
        type: str
      mode:
        description: Octal mode, such as V('0755') or V('0710').
        type: raw
        required: true
notes:
  - A symbolic link at a destination path is replaced by a regular file.
  - The chain should not need the root certificate; if the given chain includes it, it is written as given.
seealso:
  - module: webedge.https.tls_lab_ca
  - module: community.crypto.x509_certificate_info
"""

EXAMPLES = r"""
- name: Install a certificate, its key and the chain for nginx
  webedge.https.tls_certificate:
    certificate: files/www.example.com.crt
    private_key: files/www.example.com.key  # may be vault-encrypted
    chain: files/intermediates.pem
    fullchain_path: /etc/ssl/webedge/www.example.com.fullchain.pem
    key_path: /etc/ssl/webedge/www.example.com.key
    owner: root
    group: root
    mode: "0600"
    hostnames:
      - www.example.com
      - example.com
    min_days_valid: 14
    backup: true

- name: Install material from vaulted variables, for Apache
  webedge.https.tls_certificate:
    certificate_content: "{{ vault_site_certificate }}"
    private_key_content: "{{ vault_site_private_key }}"
    chain_content: "{{ vault_site_chain }}"
    cert_path: /etc/ssl/webedge/site.crt
    chain_path: /etc/ssl/webedge/site.chain.pem
    key_path: /etc/ssl/private/site.key
    group: ssl-cert
    mode: "0640"
    hostnames: ["*.example.org"]

- name: Install a certificate for a key made on the host (only its CSR left the host)
  webedge.https.tls_certificate:
    certificate_content: "{{ issued.certificate }}"
    chain_content: "{{ issued.chain }}"
    host_private_key: /etc/ssl/webedge/private/.www.key.new
    key_path: /etc/ssl/webedge/private/www.key
    fullchain_path: /etc/ssl/webedge/www.fullchain.pem
    hostnames: [www.example.com]

- name: Validate files already on the host and copy them where the web server reads them
  webedge.https.tls_certificate:
    remote_src: true
    certificate: /var/lib/acme/live/example.net/cert.pem
    private_key: /var/lib/acme/live/example.net/privkey.pem
    chain: /var/lib/acme/live/example.net/chain.pem
    fullchain_path: /etc/nginx/tls/example.net.pem
    key_path: /etc/nginx/tls/example.net.key
    hostnames: [example.net, www.example.net]
    key_types: [ec_p256, ec_p384, ed25519]
"""

RETURN = r"""
subject:
  description: Subject of the certificate (RFC 4514).
  returned: success
  type: str
  sample: CN=www.example.com
subject_alt_names:
  description: The subjectAltNames of the certificate.
  returned: success
  type: list
  elements: str
  sample: ["DNS:www.example.com", "DNS:example.com", "IP:192.0.2.10"]
issuer:
  description: Issuer of the certificate (RFC 4514).
  returned: success
  type: str
  sample: CN=Example Intermediate CA,O=Example
not_before:
  description: Start of validity, UTC, ISO 8601.
  returned: success
  type: str
  sample: "2026-01-01T00:00:00Z"
not_after:
  description: End of validity, UTC, ISO 8601.
  returned: success
  type: str
  sample: "2026-04-01T00:00:00Z"
days_remaining:
  description: Whole days until RV(not_after).
  returned: success
  type: int
  sample: 89
sha256_fingerprint:
  description: SHA-256 fingerprint of the certificate (DER), colon-separated hex.
  returned: success
  type: str
  sample: "3A:4F:...:9C"
serial_number:
  description: Serial number, hexadecimal.
  returned: success
  type: str
  sample: 4F2A19
signature_algorithm:
  description: Signature algorithm of the certificate.
  returned: success
  type: str
  sample: ecdsa-with-SHA256
key_type:
  description: Key type of the certificate.
  returned: success
  type: str
  sample: ec_p256
key_size:
  description: Key size in bits.
  returned: success
  type: int
  sample: 256
private_key_public_sha256:
  description: SHA-256 of the public key of the private key (SubjectPublicKeyInfo DER), which identifies the key
    without revealing it.
  returned: when a private key was given (O(host_private_key) included)
  type: str
chain_length:
  description: Number of chain certificates after the leaf, in the order written.
  returned: success
  type: int
  sample: 1
chain_subjects:
  description: Subjects of the chain certificates, in order.
  returned: success
  type: list
  elements: str
paths:
  description: The files this task manages on the host, by role (cert, key, chain, fullchain).
  returned: success
  type: dict
  sample: {"fullchain": "/etc/ssl/webedge/site.pem", "key": "/etc/ssl/webedge/site.key"}
directories:
  description: Per directory of O(directories), whether it was created or its owner, group or mode changed (would
    be, in check mode), with its state before.
  returned: success
  type: list
  elements: dict
  sample: [{"path": "/etc/ssl/webedge/private", "changed": true, "created": false, "mode": "0710", "uid": 0,
            "gid": 0, "before": {"exists": true, "mode": "0755", "uid": 0, "gid": 0}}]
changed_paths:
  description: The files and directories created or written or whose owner, group or mode was changed (would be,
    in check mode).
  returned: success
  type: list
  elements: str
removed_paths:
  description: The first copy of the host key removed after its install (O(remove_host_private_key)); empty otherwise.
  returned: success
  type: list
  elements: str
  sample: ["/etc/ssl/webedge/private/.www.key.new"]
stale_files:
  description:
    - Files an earlier run staged beside the destinations and could not rename or remove because it was
      killed (SIGKILL, out of memory, a reboot) between staging and renaming; a staged key holds key material.
    - They are removed (in check mode, they would be) and the task reports a change. Files of a run still
      going are left alone.
  returned: success
  type: list
  elements: str
  sample: ["/etc/ssl/webedge/private/.www.key.4242.1.tmp"]
backup_files:
  description: Backup copies made, by destination path.
  returned: when O(backup=true) and a file was replaced
  type: dict
  sample: {"/etc/ssl/webedge/site.key": "/etc/ssl/webedge/site.key.1234.2026-01-01@12:00:00~"}
files:
  description: Per file, its state before the task (metadata only, never key content) and whether it changed.
  returned: success
  type: list
  elements: dict
"""

import os
from typing import Optional

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.specs.tls_certificate import module_kwargs
from ansible_collections.webedge.https.plugins.module_utils.tls import host_key as host_keys
from ansible_collections.webedge.https.plugins.module_utils.tls import install

_ROLES = (("cert", "cert_path"), ("key", "key_path"), ("chain", "chain_path"), ("fullchain", "fullchain_path"))


def _content_for(role: str, params: dict, host_key: Optional[host_keys.HostKey]) -> bytes:
    cert = (params.get("certificate_content") or "").encode("utf-8")
    chain = (params.get("chain_content") or "").encode("utf-8")
    if role == "cert":
        return cert
    if role == "chain":
        return chain
    if role == "fullchain":
        return cert + chain
    if host_key is not None:
        return host_key.content
    return (params.get("private_key_content") or "").encode("utf-8")


def _before(change: install.FileChange) -> dict:
    before = change.before
    out: dict = {"path": before.path, "exists": before.exists}
    if before.exists:
        out.update(
            {"sha256": before.sha256, "uid": before.uid, "gid": before.gid, "mode": format(before.mode or 0, "04o")}
        )
        if change.spec.role != "key":
            # public certificates only, for the controller to describe in the diff
            out["certificates"] = install.certificate_blocks(before.content or b"")
    return out


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    params = module.params
    if params["certificate"] or params["private_key"] or params["chain"] or not params["certificate_content"]:
        module.fail_json(
            msg="tls_certificate runs through its action plugin, which validates the material on the controller "
            "and passes it as content; run it as a task, not with a module-only runner"
        )
    try:
        key_mode = install.parse_mode(params["mode"])
        if key_mode & 0o007:
            raise install.InstallError(f"mode {params['mode']!r} would let others access the private key")
        uid = install.resolve_owner(params["owner"])
        gid = install.resolve_group(params["group"])
        host_key = None
        if params["host_private_key"]:
            # the key made on the host: checked against the certificate here, never sent anywhere
            host_key = host_keys.read_host_key(
                params["host_private_key"], params["certificate_content"], ModuleRunner(module).run
            )
            if not params["key_path"]:
                params["key_path"] = params["host_private_key"]
        specs = []
        for role, option in _ROLES:
            path = params[option]
            if not path:
                continue
            if role == "key" and not params["private_key_content"] and host_key is None:
                raise install.InstallError("key_path is set but no private key was given")
            if role == "chain" and not params["chain_content"]:
                raise install.InstallError("chain_path is set but no chain was given")
            specs.append(
                install.FileSpec(
                    role=role,
                    path=path,
                    content=_content_for(role, params, host_key),
                    mode=key_mode if role == "key" else install.CERT_MODE,
                    uid=uid,
                    gid=gid,
                )
            )
        dir_changes = install.plan_directories(
            [
                install.DirSpec(
                    path=d["path"],
                    mode=install.parse_mode(d["mode"], f"directories[{i}].mode"),
                    uid=install.resolve_owner(d["owner"]),
                    gid=install.resolve_group(d["group"]),
                )
                for i, d in enumerate(params["directories"])
            ]
        )
        declared = {c.spec.path.rstrip("/") for c in dir_changes}
        created = [c.spec.path for c in dir_changes if not c.exists]
        # every check before the first change: the files are planned (in the directories still to create too)
        changes = install.plan(specs, predict_missing_dirs=module.check_mode, created_dirs=created)
        for missing in sorted(d for d in _dirs(changes) if not os.path.isdir(d) and d not in declared):
            module.warn(f"check mode: {missing} does not exist yet; a real run fails unless an earlier task creates it")
        backups: dict = {}
        removed: list = []
        stale = install.stale_temp_files([spec.path for spec in specs])
        if not module.check_mode:
            install.remove_files(stale)
            install.apply_directories(dir_changes)
            if created:
                changes = install.plan(specs)  # the directories exist now

            def selinux(temp: str, dest: str) -> None:
                if module.selinux_enabled():
                    context = module.selinux_default_context(dest)
                    module.set_context_if_different(temp, context, False)

            backups = install.apply(changes, backup=params["backup"], prepare_temp=selinux)
            removed = _remove_first_copy(params, host_key)
    except (install.InstallError, host_keys.HostKeyError) as exc:
        module.fail_json(msg=str(exc))
    result = {
        "changed": any(c.changed for c in changes) or any(d.changed for d in dir_changes) or bool(removed or stale),
        "removed_paths": removed,
        "stale_files": stale,
        "paths": {c.spec.role: c.spec.path for c in changes},
        "changed_paths": [d.spec.path for d in dir_changes if d.changed] + [c.spec.path for c in changes if c.changed],
        "directories": [_directory(d) for d in dir_changes],
        "files": [
            {
                "role": c.spec.role,
                "path": c.spec.path,
                "changed": c.changed,
                "content_changed": c.content_changed,
                "uid": c.uid,
                "gid": c.gid,
                "mode": format(c.spec.mode, "04o"),
                "before": _before(c),
            }
            for c in changes
        ],
    }
    if backups:
        result["backup_files"] = backups
    if host_key is not None:
        result["host_private_key_public_sha256"] = host_key.public_sha256
    module.exit_json(**result)


def _remove_first_copy(params: dict, host_key: object) -> list:
    """The host key's file once its content is installed elsewhere (remove_host_private_key)."""
    source = params["host_private_key"]
    if host_key is None or not params["remove_host_private_key"] or source == params["key_path"]:
        return []
    try:
        os.unlink(source)
    except FileNotFoundError:
        return []
    return [source]


def _directory(change: install.DirChange) -> dict:
    before: dict = {"exists": change.exists}
    if change.exists:
        before.update(
            {"mode": format(change.before_mode or 0, "04o"), "uid": change.before_uid, "gid": change.before_gid}
        )
    return {
        "path": change.spec.path,
        "changed": change.changed,
        "created": not change.exists,
        "mode": format(change.spec.mode, "04o"),
        "uid": change.uid,
        "gid": change.gid,
        "before": before,
    }


def _dirs(changes: list) -> set:
    return {os.path.dirname(c.spec.path) for c in changes}


if __name__ == "__main__":
    main()
