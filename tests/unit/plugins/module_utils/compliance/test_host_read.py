# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""compliance_info on Linux, end to end on real captures: the /proc of the lab's nginx and Apache hosts
(fixtures/listening), their ``nginx -T`` and ``apache2ctl -t -D DUMP_INCLUDES`` (fixtures/compliance/host), a
firewalld host's recorded firewall reads (fixtures/firewall/evaluate/info) and the captured routes
(fixtures/exposure). The exposure and the firewall verdict are compared with what exposure_info and
firewall_info give on the same host."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.host_read import (
    ReadRequest,
    config_paths,
    read_host,
    which_server,
)
from ansible_collections.webedge.https.plugins.module_utils.exposure.linux import run as exposure_run
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import gather_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.tests.unit.helpers.proctree import build, deny_fds, fixed_users

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
HOST = FIXTURES / "compliance" / "host"
RECORDING = FIXTURES / "firewall" / "evaluate" / "info" / "firewalld.json"
KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n"
CERT_TEXT = "-----BEGIN CERTIFICATE-----\nMIIBPUBLIC\n-----END CERTIFICATE-----\n"
ALLOWED = ["22", 80, 443]


class Host:
    """A firewalld host as recorded, its routes, and the web server's configuration test; records what ran."""

    def __init__(self, config: Dict[Tuple[str, ...], Tuple[int, str, str]]) -> None:
        record = json.loads(RECORDING.read_text())
        self.files = record["files"]
        self.answers: Dict[Tuple[str, ...], Tuple[int, str, str]] = {
            tuple(c["argv"]): (c["rc"], c["out"], c["err"]) for c in record["calls"]
        }
        for family in ("4", "6"):
            route = (FIXTURES / "exposure" / f"ip-route-{family}.json").read_text()
            self.answers[("ip", "-j", f"-{family}", "route", "show", "table", "all")] = (0, route, "")
        self.answers.update(config)
        self.seen: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is None, argv
        self.seen.append(tuple(argv))
        return self.answers.get(tuple(argv), (127, "", f"{argv[0]}: command not found"))


class Files:
    def __init__(self, files: Dict[str, Optional[str]]) -> None:
        self.files = files

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        raise AssertionError("compliance_info never writes")


def nginx_test() -> Dict[Tuple[str, ...], Tuple[int, str, str]]:
    return {("nginx", "-T"): (0, (HOST / "nginx-T.stdout").read_text(), (HOST / "nginx-T.stderr").read_text())}


def apache_test() -> Dict[Tuple[str, ...], Tuple[int, str, str]]:
    dump = (HOST / "apache2ctl-DUMP_INCLUDES.stdout").read_text()
    err = (HOST / "apache2ctl-DUMP_INCLUDES.stderr").read_text()
    return {("apache2ctl", "-t", "-D", "DUMP_INCLUDES"): (0, dump, err)}


def put(root: Path, path: str, text: str, mode: int = 0o644) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    os.chmod(target, mode)


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """(proc root, file root) of a lab host as captured; its key and certificate files on disk."""

    def make(scenario: str) -> Tuple[str, str]:
        proc, denied = build(tmp_path, scenario)
        deny_fds(monkeypatch, proc, denied)
        fixed_users(monkeypatch)
        files = tmp_path / "root"
        put(files, "/etc/ssl/private/ssl-cert-snakeoil.key", KEY_TEXT, 0o640)
        put(files, "/etc/ssl/certs/ssl-cert-snakeoil.pem", CERT_TEXT)
        put(files, "/etc/nginx/tls/www.pem", CERT_TEXT)
        put(files, "/etc/apache2/sites-enabled/default-ssl.conf", (HOST / "default-ssl.conf").read_text())
        return proc, str(files)

    return make


def request(**params) -> ReadRequest:
    return ReadRequest.from_params({"allowed": ALLOWED, **params})


def test_an_nginx_host_in_one_read_gives_what_the_separate_modules_gave(lab):
    proc, root = lab("lab-nginx")
    host = Host(nginx_test())
    result = read_host(request(), host, proc_root=proc, root=root, files=Files(host.files))

    assert result["server"] == "nginx"
    assert result["listening"] == {"port": 443, "listening": True, "process": "nginx", "expected_process": "nginx"}
    assert result["config_test"]["command"] == "nginx -t"
    assert result["config_test"]["rc"] == 0
    assert "test is successful" in result["config_test"]["output"]
    # the relative nginx path is under /etc/nginx/; the key both servers name is read once
    assert [c["path"] for c in result["certificate_files"]] == [
        "/etc/nginx/tls/www.pem",
        "/etc/ssl/certs/ssl-cert-snakeoil.pem",
    ]
    assert result["certificate_files"][0]["pem"] == CERT_TEXT
    assert result["private_keys"] == [
        {
            "path": "/etc/ssl/private/ssl-cert-snakeoil.key",
            "mode": "0640",
            "owner": result["private_keys"][0]["owner"],
            "group": result["private_keys"][0]["group"],
        }
    ]
    assert "SECRET-KEY-MATERIAL" not in json.dumps(result)  # key files: metadata only

    # The exposure is exposure_info's (without the list of every socket), the verdict firewall_info's.
    alone = exposure_run({"allowed": ALLOWED, "source": None}, Host(nginx_test()), proc)
    alone.pop("exposure")
    assert result["exposure"] == alone
    firewall = gather_info({"ports": [443], "protocol": "tcp"}, Host({}), files=Files(host.files))
    assert result["firewall"] == {
        "active_backends": firewall["active_backends"],
        "verdicts": [v for v in firewall["verdicts"] if v["port"] == 443],
    }
    assert result["firewall"]["active_backends"] == ["firewalld", "nftables"]
    # ONE read of the rulesets serves both
    assert host.seen.count(("nft", "-j", "list", "ruleset")) == 1
    assert ("nginx", "-T") in host.seen


def test_an_apache_host_reads_the_included_files_in_python(lab):
    proc, root = lab("lab-apache")
    host = Host(apache_test())
    result = read_host(request(), host, proc_root=proc, root=root, files=Files(host.files))
    assert result["server"] == "apache"
    assert result["listening"]["process"] == "apache2"
    assert result["listening"]["expected_process"] == "apache2"
    assert result["config_test"] == {
        "command": "apache2ctl -t",
        "rc": 0,
        "output": (HOST / "apache2ctl-DUMP_INCLUDES.stderr").read_text(),
    }
    # default-ssl.conf's SSLCertificateFile / SSLCertificateKeyFile (commented lines are not directives)
    assert [c["path"] for c in result["certificate_files"]] == ["/etc/ssl/certs/ssl-cert-snakeoil.pem"]
    assert [k["path"] for k in result["private_keys"]] == ["/etc/ssl/private/ssl-cert-snakeoil.key"]
    assert not [a for a in host.seen if a[0] in ("grep", "stat", "cat") and "ssl" in " ".join(a)]


def test_a_failed_apache_test_reads_no_paths(lab):
    proc, root = lab("lab-apache")
    host = Host({("apache2ctl", "-t", "-D", "DUMP_INCLUDES"): (1, "", "AH00526: Syntax error on line 3")})
    result = read_host(request(), host, proc_root=proc, root=root, files=Files(host.files))
    assert result["config_test"]["rc"] == 1 and "Syntax error" in result["config_test"]["output"]
    assert result["private_keys"] == [] and result["certificate_files"] == []


def test_given_paths_win_and_missing_files_are_reported(lab):
    proc, root = lab("lab-nginx")
    host = Host(nginx_test())
    result = read_host(
        request(key_paths=["/etc/ssl/private/gone.key"], cert_path="/etc/ssl/certs/gone.pem"),
        host,
        proc_root=proc,
        root=root,
        files=Files(host.files),
    )
    assert result["private_keys"] == [
        {"path": "/etc/ssl/private/gone.key", "mode": None, "owner": None, "group": None, "missing": True}
    ]
    assert result["certificate_files"] == [{"path": "/etc/ssl/certs/gone.pem", "pem": None}]


def test_skipped_controls_read_nothing_for_them(lab):
    """HOST-07 skipped: no exposure (the listeners read alone); HOST-02 skipped: no firewall read at all."""
    proc, root = lab("lab-nginx")
    host = Host(nginx_test())
    result = read_host(request(exposure=False, firewall=False), host, proc_root=proc, root=root)
    assert result["exposure"] is None and result["firewall"] is None
    assert result["listening"]["process"] == "nginx"
    assert not [a for a in host.seen if a[0] in ("nft", "firewall-cmd", "ufw", "ip") or "save" in a[0]]


def test_nothing_listening_falls_back_to_the_installed_programs(lab, tmp_path):
    proc, root = lab("netns-v6only")  # no web server owns 443 there
    put(Path(root), "/usr/sbin/apache2ctl", "#!/bin/sh\n", 0o755)
    put(Path(root), "/usr/sbin/apachectl", "#!/bin/sh\n", 0o755)
    host = Host(apache_test())
    result = read_host(request(exposure=False, firewall=False), host, proc_root=proc, root=root)
    assert result["server"] == "apache"
    assert result["listening"]["expected_process"] == "apache2"  # Debian's apache2ctl comes first
    assert ("apache2ctl", "-t", "-D", "DUMP_INCLUDES") in host.seen


def test_a_failing_exposure_read_is_reported_not_raised(lab):
    proc, root = lab("lab-nginx")
    host = Host(nginx_test())
    result = read_host(request(source="not-an-address"), host, proc_root=proc, root=root, files=Files(host.files))
    assert set(result["exposure"]) == {"msg"} and "not-an-address" in result["exposure"]["msg"]
    assert "not-an-address" in result["firewall"]["msg"] and result["firewall"]["verdicts"] == []
    assert result["listening"]["process"] == "nginx"  # the listeners are read without it


@pytest.mark.parametrize(
    ("owners", "installed", "server", "apachectl"),
    [
        (["nginx"], [], "nginx", "apache2ctl"),
        (["apache2"], [], "apache", "apache2ctl"),
        (["httpd"], [], "apache", "apachectl"),
        ([], ["apache2ctl"], "apache", "apache2ctl"),
        ([], ["nginx", "apache2ctl"], "nginx", "apache2ctl"),
        ([], ["apachectl"], "apache", "apachectl"),
        ([], [], "none", "apache2ctl"),
    ],
)
def test_the_server_comes_from_the_ports_owner_else_the_programs(owners, installed, server, apachectl):
    assert which_server(request(), owners, installed) == (server, apachectl)
    assert which_server(request(server="apache"), owners, installed)[0] == "apache"  # the option wins


def test_paths_with_variables_are_skipped_and_relative_nginx_paths_are_under_its_prefix():
    dump = "ssl_certificate tls/a.pem;\n ssl_certificate_key /k/$ssl_server_name.key;\n ssl_certificate_key k.key;\n"
    assert config_paths(dump, "") == (["/etc/nginx/k.key"], ["/etc/nginx/tls/a.pem"])
    apache = "  SSLCertificateFile /c.pem\n\tsslcertificatekeyfile /k.key\n SSLCertificateFile /x/${HOST}.pem\n"
    assert config_paths("", apache) == (["/k.key"], ["/c.pem"])


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"allowed": ["22", "http"]}, "allowed[1]"),
        ({"port": 70000}, "port 70000"),
        ({"key_paths": ["/ok.key", "relative.key"]}, "key_paths[1] 'relative.key'"),
        ({"cert_path": "/a\nb.pem"}, "cert_path"),
        ({"server": "lighttpd"}, "server 'lighttpd'"),
    ],
)
def test_bad_input_fails_before_anything_is_read_naming_the_parameter_and_value(params, word):
    with pytest.raises(ValidationError) as caught:
        ReadRequest.from_params(params)
    assert word in str(caught.value)
