#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: compliance_info
short_description: Read everything the compliance audit's host controls judge, in one module run
version_added: 0.2.0
description:
  - "Reads in ONE run what the host controls of the M(webedge.https.compliance_report) audit judge (the
    C(webedge.https.compliance) role calls it once per host): the exposure of every listening socket against an
    allow-list (HOST-07), the sockets on the HTTPS port and their owner (HOST-01), the web server's configuration
    test (HOST-04), the private key files' metadata (HOST-03), the certificate files (HOST-05, HOST-06) and the
    firewall's verdict for the HTTPS port (HOST-02)."
  - "The exposure is what M(webedge.https.exposure_info) reports with O(allowed) and O(source) (without its list of
    every socket); the firewall verdict is what M(webedge.https.firewall_info) gives for O(port) over TCP from
    O(source). Both are computed by the same code as those modules, from ONE read of the rulesets."
  - "The web server: O(server), else the owner of O(port) (C(nginx); C(apache2) or C(httpd) for Apache), else the
    programs installed in C(/usr/sbin) (C(nginx), C(apache2ctl), C(apachectl), in that order)."
  - "The configuration test: C(nginx -T) (which tests and dumps the configuration) or C(apache2ctl -t -D
    DUMP_INCLUDES) (C(apachectl) on Red Hat, which tests and lists the included files; the C(SSLCertificateFile)
    and C(SSLCertificateKeyFile) lines of those files are then read)."
  - "The key and certificate files: O(key_paths) and O(cert_path), else every C(ssl_certificate_key) and
    C(ssl_certificate) (nginx; relative paths are under C(/etc/nginx/)) or C(SSLCertificateKeyFile) and
    C(SSLCertificateFile) (Apache) of the configuration; paths with variables (C($ssl_server_name)) are skipped."
  - Only reads. Of a private key file only the metadata is read (C(lstat)), never the content; certificate files
    are public and read whole (up to 1 MiB).
  - On Windows the same options and result keys apply; what Windows reads is in the notes.
author:
  - webedge.https contributors (@webedge)
options:
  port:
    description: The HTTPS port whose sockets, owner and firewall verdict are read.
    type: int
    default: 443
  server:
    description:
      - The web server whose configuration is tested and read for the key and certificate paths. V(auto) takes
        the owner of O(port), else the program installed; V(none) (and V(iis) on Linux) runs no configuration test.
      - On Windows only V(auto), V(iis) and V(none) are accepted (the IIS read is not part of this module).
    type: str
    choices: [auto, nginx, apache, iis, none]
    default: auto
  expected_process:
    description:
      - The process that should own O(port), returned in RV(listening.expected_process). Empty means the
        server's own (V(nginx), V(apache2) or V(httpd); V(System) on Windows, where HTTP.sys serves IIS).
    type: str
    default: ''
  key_paths:
    description:
      - Private key files whose metadata is read (absolute paths). Empty means every key file the
        configuration names. Not used on Windows.
    type: list
    elements: str
    default: []
  cert_path:
    description:
      - The certificate file to read (absolute path). Empty means every certificate file the configuration
        names. Not used on Windows.
    type: str
    default: ''
  exposure:
    description: Read the exposure of every listening socket (HOST-07). With V(false), RV(exposure) is V(null).
    type: bool
    default: true
  allowed:
    description:
      - The ports that may be exposed, as for O(webedge.https.exposure_info#module:allowed)
        (a port or a range, optionally V(/tcp) or V(/udp)). A malformed entry fails the task before anything is
        read, naming it.
    type: list
    elements: raw
  firewall:
    description: Read the firewall's verdict for O(port) (HOST-02). With V(false), RV(firewall) is V(null).
    type: bool
    default: true
  source:
    description:
      - The address new connections come from, for the exposure and the firewall verdict. Omitted, an address no
        rule names. The firewall verdict needs one address (with a network, C(msg) in RV(firewall) says so).
    type: str
extends_documentation_fragment:
  - webedge.https.attributes
  - webedge.https.windows_dispatch
attributes:
  check_mode:
    support: full
    details: It only reads; check mode runs it the same way.
  diff_mode:
    support: none
notes:
  - The module never changes anything; RV(ignore:changed) is always V(false).
  - Run it with C(become) to see the owners of every socket, to read the firewall, the configuration and the key
    files' metadata.
  - "Windows: ONE PowerShell round trip runs the read of M(webedge.https.listening_ports), the read of
    M(webedge.https.firewall_info) for O(port) and the read of the services (as M(webedge.https.exposure_info) does);
    the exposure, the port's sockets and the firewall verdict are computed on the controller. Since the firewall read
    names O(port), a rule scoped to a program is decided there from who listens on O(port) (as firewall_info decides
    it), also for the exposure, where M(webedge.https.exposure_info) alone leaves such a rule on that port unknown.
    The IIS bindings,
    certificates, key access rules and configuration load are not read here (the role reads them with its own
    script): RV(config_test) is V(null) and RV(private_keys) and RV(certificate_files) are empty."
seealso:
  - module: webedge.https.exposure_info
  - module: webedge.https.firewall_info
  - module: webedge.https.listening_ports
"""

EXAMPLES = r"""
- name: Read what the host controls judge, in one module run
  webedge.https.compliance_info:
    port: 443
    allowed: [22, 80, 443]
  become: true
  register: host_read

- name: Judge it as the compliance role does
  ansible.builtin.debug:
    msg: "{{ host_read.listening }} / {{ host_read.firewall.verdicts }}"

- name: Only the firewall verdict and the listener, for a known key and certificate
  webedge.https.compliance_info:
    server: nginx
    exposure: false
    key_paths: [/etc/ssl/private/www.key]
    cert_path: /etc/ssl/certs/www.pem
  become: true
"""

RETURN = r"""
server:
  description: The web server found (V(nginx), V(apache), V(none); V(iis) or V(none) on Windows).
  returned: always
  type: str
  sample: nginx
listening:
  description: The sockets on O(port), as the host controls take them.
  returned: always
  type: dict
  contains:
    port:
      description: O(port).
      type: int
    listening:
      description: Something listens on O(port) over TCP.
      type: bool
    process:
      description: The first socket's owner (process name); V(null) when none or unknown.
      type: str
    expected_process:
      description: O(expected_process), else the server's own process name; V(null) for no server.
      type: str
  sample: {port: 443, listening: true, process: nginx, expected_process: nginx}
exposure:
  description:
    - What M(webedge.https.exposure_info) returns (RV(webedge.https.exposure_info#module:exposed),
      RV(webedge.https.exposure_info#module:unknown), RV(webedge.https.exposure_info#module:allowed),
      RV(webedge.https.exposure_info#module:unexpected), C(source), C(interfaces), C(notes), C(msg)) without the list of
      every socket; only C(msg) when the read failed. V(null) with O(exposure=false).
  returned: always
  type: dict
  sample:
    {source: null, interfaces: {ipv4: eth0, ipv6: null}, exposed: [{protocol: tcp, port: 443, owners: [nginx]}],
     unknown: [], allowed: ["22", "80", "443"], unexpected: [], notes: [], msg: "2 listening socket(s); ..."}
config_test:
  description: The configuration test - the command (V(nginx -t), V(apache2ctl -t)), its exit code and its error
    output; V(null) when no server was found (and on Windows).
  returned: always
  type: dict
  sample: {command: nginx -t, rc: 0, output: "nginx: configuration file /etc/nginx/nginx.conf test is successful"}
private_keys:
  description: Each key file's C(path), C(mode) (octal text), C(owner) and C(group); C(missing) V(true) when it
    cannot be found. Never the content. Empty on Windows.
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/ssl/private/www.key, mode: "0600", owner: root, group: root}]
certificate_files:
  description: Each certificate file's C(path) and C(pem) (its text; V(null) when it cannot be read). Empty on
    Windows.
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/ssl/certs/www.pem, pem: "-----BEGIN CERTIFICATE-----..."}]
firewall:
  description:
    - M(webedge.https.firewall_info)'s C(active_backends) and its C(verdicts) entry for O(port); with C(msg) (and no
      verdict) when it could not answer. V(null) with O(firewall=false).
  returned: always
  type: dict
  sample: {active_backends: [nftables], verdicts: [{port: 443, protocol: tcp, verdict: accept}]}
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.webedge.https.plugins.module_utils.command_runner import ModuleRunner
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_read import ReadRequest, read_host
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.specs.compliance_info import module_kwargs


def main() -> None:
    module = AnsibleModule(**module_kwargs(), supports_check_mode=True)
    try:
        request = ReadRequest.from_params(module.params)
    except FirewallError as exc:
        module.fail_json(msg=str(exc))
    if not os.path.exists("/proc/net/tcp"):
        module.fail_json(msg=f"no /proc/net/tcp here: compliance_info reads Linux's /proc ({platform.system()})")
    module.exit_json(**read_host(request, ModuleRunner(module)))


if __name__ == "__main__":
    main()
