#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name,
# on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tls_lab_ca
short_description: Create a local lab CA and issue server certificates on the controller
version_added: 0.1.0
description:
  - For labs and tests. Creates a root CA (and by default an intermediate CA) in a directory on the
    B(controller) and issues server certificates for the requested names. Nothing runs on the managed host
    and nothing goes over the network.
  - Certificates are RFC 5280-complete, as strict verifiers (cryptography, Go, rustls) require. They carry
    Subject and Authority Key Identifiers, KeyUsage (critical), BasicConstraints (critical), and on leaves
    ExtendedKeyUsage serverAuth and subjectAltName.
  - Idempotent. Existing files are reused while valid for more than O(renew_days) days, issued by the current
    CA and, for leaves, carrying exactly the requested names.
  - "Files in O(dest): C(ca.crt), C(ca.key), C(intermediate.crt), C(intermediate.key), and C(NAME.crt),
    C(NAME.key) per certificate. Keys are created with mode C(0600), certificates C(0644)."
  - Deploy the results to hosts with M(webedge.https.tls_certificate), or with the role C(webedge.https.tls).
author:
  - webedge.https contributors (@webedge)
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.controller_side
  - webedge.https.controller_side.cryptography
attributes:
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: In check mode nothing is written; the result says whether files would be created.
  diff_mode:
    support: none
  safe_file_operations:
    support: none
    details: The CA and certificate files are written by the plugin itself (a C(0600) temporary file in the same
      directory, its final mode set, then renamed over the old file), not through Ansible's file functions.
  vault:
    support: none
options:
  dest:
    description:
      - Directory on the controller for the CA and the certificates. Created with mode C(0700) if absent.
    type: path
    required: true
  ca_common_name:
    description: Common name of the root CA.
    type: str
    default: webedge lab root CA
  intermediate:
    description: Issue leaves from an intermediate CA (returned as RV(chain)) rather than from the root.
    type: bool
    default: true
  intermediate_common_name:
    description: Common name of the intermediate CA.
    type: str
    default: webedge lab intermediate CA
  key_type:
    description: Key type of the CAs and the default for the leaves.
    type: str
    choices: [ec_p256, ec_p384, rsa2048, rsa3072, rsa4096, ed25519]
    default: ec_p256
  ca_valid_days:
    description: Validity of new CA certificates, in days.
    type: int
    default: 3650
  valid_days:
    description: Validity of new leaf certificates, in days.
    type: int
    default: 90
  renew_days:
    description: Re-issue a certificate that expires within this many days. Must be smaller than O(valid_days).
    type: int
    default: 30
  certificates:
    description: The server certificates to issue.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: File name stem (C(NAME.crt), C(NAME.key)); not C(ca) or C(intermediate).
        type: str
        required: true
      hostnames:
        description: DNS names (IDN names are stored as A-labels) and IP addresses for the subjectAltName.
          The first one is the subject CN.
        type: list
        elements: str
        required: true
      key_type:
        description: Key type of this certificate; defaults to O(key_type).
        type: str
        choices: [ec_p256, ec_p384, rsa2048, rsa3072, rsa4096, ed25519]
notes:
  - Hosts issuing into the same O(dest) at once are serialised with a lock file.
  - Not for production, since the CA key sits unencrypted on the controller.
seealso:
  - module: webedge.https.tls_certificate
"""

EXAMPLES = r"""
- name: Issue a lab certificate for this host
  webedge.https.tls_lab_ca:
    dest: "{{ playbook_dir }}/.lab-ca"
    certificates:
      - name: "{{ inventory_hostname }}"
        hostnames:
          - "{{ inventory_hostname }}"
          - "{{ ansible_host | default(inventory_hostname) }}"
  register: lab

- name: Deploy it
  webedge.https.tls_certificate:
    certificate: "{{ lab.certificates[inventory_hostname].certificate }}"
    private_key: "{{ lab.certificates[inventory_hostname].private_key }}"
    chain: "{{ lab.chain }}"
    fullchain_path: /etc/ssl/webedge/site.pem
    key_path: /etc/ssl/webedge/site.key
    hostnames: ["{{ inventory_hostname }}"]
"""

RETURN = r"""
ca_certificate:
  description: Path of the root CA certificate on the controller (what clients must trust).
  returned: success
  type: str
chain:
  description: Path of the intermediate CA certificate (the chain to serve), or null without an intermediate.
  returned: success
  type: str
created:
  description: Names of the files stems created (or that would be, in check mode), including C(ca) and C(intermediate).
  returned: success
  type: list
  elements: str
certificates:
  description: Per certificate name, the controller paths of C(certificate), C(private_key) and C(chain), the
    C(hostnames), whether it was C(created) and the C(reason).
  returned: success
  type: dict
"""
