# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/host.yml: which web server is tested and which process must own the port, and
which key and certificate files are read (rendered by Ansible's templar from the task file)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import render, task

DECIDE = task("compliance", "host.yml", "Decide which web server to test")
FILES = task("compliance", "host.yml", "Work out the key and certificate files")


def decide(owners: List[str], programs: List[str], **variables: Any) -> Dict[str, Any]:
    context = {
        **DECIDE["vars"],
        "compliance_port": 443,
        "compliance_server": "auto",
        "compliance_expected_process": "",
        "__compliance_listening": {"listening": [{"port": 443, "process": p} for p in owners]},
        "__compliance_programs": {
            "results": [
                {"item": p, "stat": {"exists": p in programs}}
                for p in ("/usr/sbin/nginx", "/usr/sbin/apache2ctl", "/usr/sbin/apachectl")
            ]
        },
        **variables,
    }
    return render(DECIDE["ansible.builtin.set_fact"], context)


@pytest.mark.parametrize(
    ("owners", "programs", "server", "expected"),
    [
        (["nginx"], ["/usr/sbin/nginx", "/usr/sbin/apache2ctl"], "nginx", "nginx"),  # the port's owner decides
        (["apache2"], ["/usr/sbin/nginx", "/usr/sbin/apache2ctl"], "apache", "apache2"),
        (["httpd"], ["/usr/sbin/apachectl"], "apache", "httpd"),
        ([], ["/usr/sbin/apache2ctl"], "apache", "apache2"),  # nothing listens: the installed program
        ([], [], "none", None),
    ],
)
def test_the_server_and_its_process_come_from_the_ports_owner_else_the_programs(owners, programs, server, expected):
    facts = decide(owners, programs)
    assert facts["__compliance_server"] == server
    # No process expected: none on ansible-core 2.19, an empty string on 2.17/2.18 (HOST-01 reads both as unset).
    assert facts["__compliance_listen_facts"]["expected_process"] in ((None, "") if expected is None else (expected,))
    assert facts["__compliance_listen_facts"]["listening"] is bool(owners)


def test_the_variables_win_over_detection():
    facts = decide(["nginx"], ["/usr/sbin/nginx"], compliance_server="apache", compliance_expected_process="my-httpd")
    assert facts["__compliance_server"] == "apache"
    assert facts["__compliance_listen_facts"]["expected_process"] == "my-httpd"


def test_key_and_certificate_paths_come_from_the_dumped_configuration():
    context = {
        **FILES["vars"],
        "compliance_key_paths": [],
        "compliance_cert_path": "",
        "__compliance_nginx": {
            "stdout": "    ssl_certificate tls/www.pem;\n    ssl_certificate_key /etc/nginx/tls/www.key;\n"
            "    ssl_certificate_key /etc/nginx/tls/$ssl_server_name.key;\n"
        },
        "__compliance_apache_paths": {
            "stdout": "  SSLCertificateFile /etc/apache2/tls/a.pem\n  SSLCertificateKeyFile /k\n"
        },
    }
    facts = render(FILES["ansible.builtin.set_fact"], context)
    assert facts["__compliance_key_files"] == ["/etc/nginx/tls/www.key", "/k"]  # a path with a variable is left out
    assert facts["__compliance_cert_files"] == ["/etc/nginx/tls/www.pem", "/etc/apache2/tls/a.pem"]
