# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/host.yml and what vars/main.yml works out of its reads: which sockets are the
HTTPS port's, which web server is tested and which process must own the port, which key and certificate
files are read, and the firewall's verdict (rendered by Ansible's templar from the role's files)."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task, tasks

ROLE_VARS = load("compliance", "vars/main.yml")
DEFAULTS = load("compliance", "defaults/main.yml")
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}


def context(**variables: Any) -> Dict[str, Any]:
    """The role's defaults and variables, with these registered results and variables (the role's
    variables are templates of one another, as in a play)."""
    return {**DEFAULTS, "inventory_hostname": "web1", **ROLE_VARS, **variables}


def exposure(*sockets: Dict[str, Any]) -> Dict[str, Any]:
    return {"changed": False, "exposure": list(sockets)}


def sock(port: int, process: str, protocol: str = "tcp", address: Any = "0.0.0.0") -> Dict[str, Any]:
    return {"protocol": protocol, "family": "ipv4", "address": address, "port": port, "process": process}


def programs(*paths: str) -> Dict[str, Any]:
    return {"changed": False, "files": [{"path": p} for p in paths]}


@pytest.mark.parametrize(
    ("owners", "found", "server", "expected"),
    [
        (["nginx"], [], "nginx", "nginx"),  # the port's owner decides (the find task does not run)
        (["apache2"], [], "apache", "apache2"),
        (["httpd"], [], "apache", "httpd"),
        ([], ["/usr/sbin/apache2ctl"], "apache", "apache2"),  # nothing listens: the installed program
        ([], ["/usr/sbin/nginx", "/usr/sbin/apache2ctl"], "nginx", "nginx"),
        ([], ["/usr/sbin/apachectl"], "apache", "httpd"),
        ([], [], "none", None),
    ],
)
def test_the_server_and_its_process_come_from_the_ports_owner_else_the_programs(owners, found, server, expected):
    variables = context(
        __compliance_exposure=exposure(*[sock(443, p) for p in owners]),
        __compliance_programs=programs(*found) if not owners else SKIPPED,
    )
    assert render("{{ __compliance_server }}", variables) == server
    facts = render("{{ __compliance_listen_facts }}", variables)
    # No process expected: none on ansible-core 2.19, an empty string on 2.17/2.18 (HOST-01 reads both as unset).
    assert facts["expected_process"] in ((None, "") if expected is None else (expected,))
    assert facts["listening"] is bool(owners)
    assert facts["process"] == (owners[0] if owners else None) or (not owners and facts["process"] in (None, ""))


def test_the_find_task_runs_only_when_neither_the_variable_nor_the_owner_tells():
    when = task("compliance", "host.yml", "Find the web server programs")["when"]
    condition = "{{ (" + ") and (".join(when) + ") }}"
    assert render(condition, context(__compliance_exposure=exposure())) is True
    assert render(condition, context(__compliance_exposure=exposure(sock(443, "nginx")))) is False
    assert render(condition, context(__compliance_exposure=exposure(), compliance_server="apache")) is False


def test_only_tcp_sockets_of_the_https_port_count_and_dnat_entries_are_not_sockets():
    variables = context(
        __compliance_exposure=exposure(
            sock(443, "haproxy", protocol="udp"), sock(8443, "nginx"), sock(443, "podman", address=None)
        )
    )
    assert render("{{ __compliance_sockets }}", variables) == []
    assert render("{{ __compliance_listen_facts }}", variables)["listening"] is False


@pytest.mark.parametrize("exposure_result", [SKIPPED, {"changed": False, "failed": False, "msg": "no /proc"}])
def test_without_exposure_infos_read_the_listening_ports_task_runs_and_its_sockets_count(exposure_result):
    listening = task("compliance", "host.yml", "Read the listening sockets of the HTTPS port")
    variables = context(
        __compliance_exposure=exposure_result,
        __compliance_listening={"listening": [sock(443, "nginx")]},
    )
    assert render("{{ " + listening["when"] + " }}", variables) is True
    assert render("{{ __compliance_server }}", variables) == "nginx"
    with_exposure = context(__compliance_exposure=exposure(sock(443, "nginx")))
    assert render("{{ " + listening["when"] + " }}", with_exposure) is False


def test_the_variables_win_over_detection():
    variables = context(
        __compliance_exposure=exposure(sock(443, "nginx")),
        compliance_server="apache",
        compliance_expected_process="my-httpd",
    )
    assert render("{{ __compliance_server }}", variables) == "apache"
    assert render("{{ __compliance_listen_facts }}", variables)["expected_process"] == "my-httpd"


def test_one_command_tests_either_server():
    name = "Test the web server's configuration (nginx -T dumps it, apachectl -t -D DUMP_INCLUDES lists its files)"
    argv = task("compliance", "host.yml", name)["ansible.builtin.command"]["argv"]
    nginx = context(__compliance_exposure=exposure(sock(443, "nginx")))
    apache = context(__compliance_exposure=exposure(sock(443, "httpd")))
    assert render(argv, nginx) == ["nginx", "-T"]
    assert render(argv, apache) == ["apachectl", "-t", "-D", "DUMP_INCLUDES"]


def test_key_and_certificate_paths_come_from_the_dumped_configuration():
    nginx = context(
        __compliance_exposure=exposure(sock(443, "nginx")),
        __compliance_config={
            "rc": 0,
            "cmd": ["nginx", "-T"],
            "stdout": "    ssl_certificate tls/www.pem;\n    ssl_certificate_key /etc/nginx/tls/www.key;\n"
            "    ssl_certificate_key /etc/nginx/tls/$ssl_server_name.key;\n",
        },
    )
    # a path with a variable is left out
    assert render("{{ __compliance_key_files }}", nginx) == ["/etc/nginx/tls/www.key"]
    assert render("{{ __compliance_cert_files }}", nginx) == ["/etc/nginx/tls/www.pem"]
    apache = context(
        __compliance_exposure=exposure(sock(443, "apache2")),
        __compliance_config={
            "rc": 0,
            "cmd": ["apache2ctl", "-t"],
            "stdout": " (0) /etc/apache2/apache2.conf\n",
        },
        __compliance_apache_paths={
            "stdout": "  SSLCertificateFile /etc/apache2/tls/a.pem\n  SSLCertificateKeyFile /k\n",
        },
    )
    assert render("{{ __compliance_key_files }}", apache) == ["/k"]
    assert render("{{ __compliance_cert_files }}", apache) == ["/etc/apache2/tls/a.pem"]
    assert render("{{ __compliance_config_test }}", apache)["command"] == "apache2ctl -t"
    set_paths = context(compliance_key_paths=["/a.key"], compliance_cert_path="/a.pem")
    assert render("{{ __compliance_key_files }}", set_paths) == ["/a.key"]
    assert render("{{ __compliance_cert_files }}", set_paths) == ["/a.pem"]


def verdict(ipv4: str, ipv6: str) -> Dict[str, Any]:
    return {
        "active_backends": ["nftables"],
        "verdicts": [
            {
                "port": 443,
                "verdict": "mixed" if ipv4 != ipv6 else ipv4,
                "ipv4": {"verdict": ipv4, "decided_by": "rule 4"},
                "ipv6": {"verdict": ipv6, "reason": "policy drop"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("registered", "expected"),
    [
        (
            verdict("accept", "accept"),
            {"verdict": "accept", "detail": "IPv4 accept: rule 4; IPv6 accept: policy drop"},
        ),
        (verdict("accept", "drop"), {"verdict": "drop", "detail": "IPv4 accept: rule 4; IPv6 drop: policy drop"}),
        (
            {"failed": False, "msg": "nft: permission denied"},
            {"verdict": "unknown", "detail": "nft: permission denied"},
        ),
    ],
)
def test_the_firewall_verdict_for_the_https_port(registered, expected):
    firewall = render("{{ __compliance_firewall }}", context(__compliance_firewall_info=registered))
    assert {k: firewall[k] for k in expected} == expected
    assert firewall["port"] == 443


def test_no_firewall_verdict_when_host_02_is_skipped():
    assert render("{{ __compliance_firewall }}", context(__compliance_firewall_info=SKIPPED)) in (None, "")


def test_every_linux_read_is_read_only():
    for t in tasks("compliance", "host.yml"):
        if "ansible.builtin.command" in t:
            assert t["check_mode"] is False and t["changed_when"] is False, t["name"]
