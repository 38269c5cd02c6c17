# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""compliance_host_controls on an IIS host: the PowerShell read (``windows``) becomes HOST-03/04/05.

The read below has the shape ``roles/compliance/files/windows_host.ps1`` returns; it is written by
hand, not captured from a Windows host (none has run the script yet).
"""

from __future__ import annotations

import copy
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.compliance.controls import FilterModule

HOST = FilterModule().filters()["host_controls"]
THUMB = "0123456789ABCDEF0123456789ABCDEF01234567"
OTHER = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
SHA = "5f" * 32
OTHER_SHA = "a0" * 32
FULL = 2032127
READ = 131209
SYSTEM = {
    "sid": "S-1-5-18",
    "principal": "NT AUTHORITY\\SYSTEM",
    "type": "Allow",
    "rights": FULL,
    "inherit_only": False,
}
ADMINS = {"sid": "S-1-5-32-544", "principal": "BUILTIN\\Administrators", "type": "Allow", "rights": FULL}
EVERYONE = {"sid": "S-1-1-0", "principal": "Everyone", "type": "Allow", "rights": READ, "inherit_only": False}


def _cert(thumb, sha, acl, **key_changes):
    key = {
        "provider": "Microsoft Software Key Storage Provider",
        "container": "d6d986f0_" + thumb[:8],
        "file": "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\d6d986f0_" + thumb[:8],
        "owner": {"sid": "S-1-5-32-544", "principal": "BUILTIN\\Administrators"},
        "acl": acl,
        "error": None,
    }
    key.update(key_changes)
    return {
        "path": f"Cert:\\LocalMachine\\My\\{thumb}",
        "thumbprint": thumb,
        "store": "My",
        "found": True,
        "sha256": sha,
        "subject": "CN=www.example.com",
        "private_key": key,
    }


READ_OK = {
    "port": 443,
    "error": None,
    "bindings": [
        {"site": "www", "binding": "*:443:www.example.com", "thumbprint": THUMB, "store": "My"},
        {"site": "www", "binding": "*:443:example.com", "thumbprint": THUMB, "store": "My"},
        {"site": "api", "binding": "*:443:api.example.com", "thumbprint": OTHER, "store": "My"},
    ],
    "certificates": [_cert(THUMB, SHA, [SYSTEM, ADMINS]), _cert(OTHER, OTHER_SHA, [SYSTEM, ADMINS])],
    "config_test": {
        "command": "IIS configuration load (Microsoft.Web.Administration, appcmd list config)",
        "rc": 0,
        "output": "",
    },
    "administrators": ["S-1-5-21-1-2-3-500"],
}


def _facts(read=None, **changes):
    facts = {
        "listening": {"port": 443, "listening": True, "process": "System", "expected_process": "System"},
        "firewall": {"backend": "windows", "port": 443, "verdict": "accept", "detail": "IPv4 accept: rule IIS-443"},
        # Through JSON, as the role passes it (from_json of the script's text).
        "windows": json.loads(json.dumps(READ_OK if read is None else read)),
        "key_readers": [],
        "skip_config_test": False,
        "served": SHA,
    }
    facts.update(changes)
    return facts


def _read(**changes):
    read = copy.deepcopy(READ_OK)
    read.update(changes)
    return read


def _statuses(findings):
    return {cid: f["status"] for cid, f in findings.items()}


def test_a_good_iis_host_passes_every_host_control():
    findings = HOST(_facts(), "win1")
    assert _statuses(findings) == {
        **dict.fromkeys(["HOST-01", "HOST-02", "HOST-03", "HOST-04", "HOST-05"], "pass"),
        "HOST-06": "skip",
        "HOST-07": "skip",
    }
    assert findings["HOST-06"]["message"] == "certificate dates are not read from the Windows certificate store"
    assert findings["HOST-01"]["message"] == "443/tcp listening by System"
    assert findings["HOST-02"]["message"].startswith("windows admits 443/tcp")
    assert findings["HOST-04"]["message"].startswith("IIS configuration load (")
    assert findings["HOST-05"]["message"].startswith(f"Cert:\\LocalMachine\\My\\{THUMB} is served")


def test_the_second_sites_certificate_is_found_when_it_is_the_one_served():
    finding = HOST(_facts(served=OTHER_SHA), "win1")["HOST-05"]
    assert finding["status"] == "pass" and OTHER in finding["message"]


def test_a_stale_binding_fails_host05_with_both_fingerprints():
    finding = HOST(_facts(served="ee" * 32), "win1")["HOST-05"]
    assert finding["status"] == "fail"
    assert finding["expected"] == SHA and finding["observed"] == "ee" * 32


def test_a_key_readable_by_everyone_fails_naming_the_principal_and_the_certificate():
    read = _read(certificates=[_cert(THUMB, SHA, [SYSTEM, ADMINS]), _cert(OTHER, OTHER_SHA, [SYSTEM, EVERYONE])])
    finding = HOST(_facts(read), "win1")["HOST-03"]
    assert finding["status"] == "fail"
    assert f"private key of Cert:\\LocalMachine\\My\\{OTHER}" in finding["message"]
    assert finding["message"].endswith("is readable by Everyone")


def test_key_readers_let_a_named_service_account_read():
    svc = {"sid": "S-1-5-21-1-2-3-1105", "principal": "CONTOSO\\svc-web", "type": "Allow", "rights": READ}
    read = _read(certificates=[_cert(THUMB, SHA, [SYSTEM, svc]), _cert(OTHER, OTHER_SHA, [SYSTEM])])
    assert HOST(_facts(read), "win1")["HOST-03"]["status"] == "fail"
    assert HOST(_facts(read, key_readers=["CONTOSO\\svc-web"]), "win1")["HOST-03"]["status"] == "pass"


def test_a_direct_member_of_administrators_is_an_administrator():
    admin = {"sid": "S-1-5-21-1-2-3-1001", "principal": "WIN1\\ops", "type": "Allow", "rights": FULL}
    read = _read(certificates=[_cert(THUMB, SHA, [SYSTEM, admin]), _cert(OTHER, OTHER_SHA, [SYSTEM])])
    assert HOST(_facts(read), "win1")["HOST-03"]["status"] == "fail"
    read["administrators"] = ["S-1-5-21-1-2-3-1001"]
    assert HOST(_facts(read), "win1")["HOST-03"]["status"] == "pass"


def test_an_unreadable_key_is_an_error_with_its_reason():
    read = _read(certificates=[_cert(THUMB, SHA, None, error="cannot open the private key: Keyset does not exist")])
    finding = HOST(_facts(read), "win1")["HOST-03"]
    assert finding["status"] == "error"
    assert finding["message"] == (
        f"private key of Cert:\\LocalMachine\\My\\{THUMB}: cannot open the private key: Keyset does not exist"
    )


def test_a_certificate_missing_from_the_store_errors_host03_and_host05():
    read = _read(
        bindings=[{"site": "www", "binding": "*:443:www.example.com", "thumbprint": THUMB, "store": "My"}],
        certificates=[{"path": f"Cert:\\LocalMachine\\My\\{THUMB}", "found": False}],
    )
    findings = HOST(_facts(read), "win1")
    assert findings["HOST-03"]["status"] == "error"
    assert (
        "named by the https binding *:443:www.example.com of site 'www', not in the store"
        in (findings["HOST-03"]["message"])
    )
    assert findings["HOST-05"]["status"] == "error"
    assert findings["HOST-05"]["message"] == (
        f"Cert:\\LocalMachine\\My\\{THUMB} is bound in IIS but not in the certificate store"
    )


def test_a_central_certificate_store_binding_is_not_passed_unchecked():
    read = _read(
        bindings=[
            {
                "site": "www",
                "binding": "*:443:www.example.com",
                "thumbprint": None,
                "store": "My",
                "central_certificate_store": True,
            }
        ],
        certificates=[],
    )
    finding = HOST(_facts(read), "win1")["HOST-03"]
    assert finding["status"] == "error" and "Central Certificate Store" in finding["message"]


def test_a_configuration_that_does_not_load_fails_host04_with_the_error():
    read = _read(
        config_test={
            "command": "IIS configuration load (Microsoft.Web.Administration, appcmd list config)",
            "rc": 1,
            "output": "site 'www': Configuration file is not well-formed XML",
        }
    )
    finding = HOST(_facts(read), "win1")["HOST-04"]
    assert finding["status"] == "fail"
    assert finding["message"].endswith("failed (rc=1): site 'www': Configuration file is not well-formed XML")


def test_no_https_binding_on_the_port_says_so():
    findings = HOST(_facts(_read(bindings=[], certificates=[])), "win1")
    assert findings["HOST-03"]["status"] == "skip"
    assert findings["HOST-03"]["message"] == "no https binding on port 443 in IIS: no private key to check"
    assert findings["HOST-05"]["message"] == "no https binding on port 443 in IIS names a certificate"


def test_iis_not_readable_errors_the_iis_controls_only():
    dll = "C:\\Windows\\System32\\inetsrv\\Microsoft.Web.Administration.dll"
    read = {"error": f"IIS is not installed on this host: {dll} is missing"}
    findings = HOST(_facts(read), "win1")
    assert _statuses(findings) == {
        "HOST-01": "pass",
        "HOST-02": "pass",
        "HOST-03": "error",
        "HOST-04": "error",
        "HOST-05": "error",
        "HOST-06": "skip",
        "HOST-07": "skip",
    }
    assert findings["HOST-04"]["message"].startswith("IIS could not be read: IIS is not installed")
    unprobed = HOST(_facts(read, served=None), "win1")["HOST-05"]
    assert unprobed["status"] == "skip"
    assert unprobed["message"] == "the endpoint was not probed: nothing to compare with"


def test_compliance_server_none_skips_the_configuration_load():
    findings = HOST(_facts(skip_config_test=True), "win1")
    assert findings["HOST-04"]["status"] == "skip"
    failed = HOST(_facts({"error": "boom"}, skip_config_test=True), "win1")
    assert failed["HOST-04"]["status"] == "skip" and failed["HOST-03"]["status"] == "error"


def test_wrong_owner_of_the_port_and_skip_list_work_as_on_linux():
    listening = {"port": 443, "listening": True, "process": "httpd", "expected_process": "System"}
    findings = HOST(_facts(listening=listening), "win1", ["HOST-03"])
    assert findings["HOST-01"]["message"] == "443/tcp is held by httpd, expected System"
    assert findings["HOST-03"]["status"] == "skip" and "disabled" in findings["HOST-03"]["message"]


@pytest.mark.parametrize(
    ("changes", "text"),
    [({"windows": "nope"}, "windows must be a mapping"), ({"key_readers": "CONTOSO\\svc"}, "key_readers must be")],
)
def test_bad_windows_input_fails_naming_it(changes, text):
    with pytest.raises(AnsibleFilterError, match=text):
        HOST(_facts(**changes), "win1")
