# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters webedge.https.tls.lab_entries, host_entries, file_entries and entry_errors: plugin_utils/tls/entries.py
for Jinja2, called through Ansible's templar as the tls role calls them, bad input as filter errors."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any, Dict

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.tls.entries import FilterModule
from ansible_collections.webedge.https.tests.unit.helpers.templating import render

FILTERS = {f"webedge.https.tls.{name}": function for name, function in FilterModule().filters().items()}

LAB = {
    "ca_certificate": "/lab/ca.crt",
    "chain": "/lab/intermediate.crt",
    "certificates": {
        "web1": {
            "certificate": "/lab/web1.crt",
            "private_key": "/lab/web1.key",
            "chain": "/lab/intermediate.crt",
            "hostnames": ["web1"],
            "created": True,
        }
    },
}
ROLE = {
    "tls_lab_ca_enabled": "yes",
    "tls_lab_key_on_host": False,
    "tls_lab_valid_days": 90,
    "tls_lab_renew_days": 30,
    "tls_lab_certificates": [{"name": "{{ inventory_hostname }}", "hostnames": ["{{ inventory_hostname }}"]}],
    "inventory_hostname": "web1",
    "tls_certificates": [
        {"name": "given", "private_key_content": "-----BEGIN PRIVATE KEY-----"},
        {"name": "site", "source": "acme", "hostnames": ["www.example.com"], "min_days_valid": "{{ 7 * 2 }}"},
    ],
    "tls_key_type": "ec_p384",
    "tls_cert_dir": "/srv/certs",
    "tls_key_dir": "/srv/keys",
    "tls_key_rotate": "false",
    "tls_acme_directory": "https://acme.example/dir",
    "tls_acme_account_key": "/keys/account.key",
    "tls_acme_served_names": ["www.example.com"],
}
LAB_ENTRIES = (
    "{{ __tls_lab_ca_result | default(none) | webedge.https.tls.lab_entries(tls_lab_certificates,"
    " enabled=tls_lab_ca_enabled, key_on_host=tls_lab_key_on_host, valid_days=tls_lab_valid_days,"
    " renew_days=tls_lab_renew_days, check_mode=ansible_check_mode | default(false)) }}"
)
HOST_ENTRIES = (
    "{{ tls_certificates | webedge.https.tls.host_entries(key_type=tls_key_type, cert_dir=tls_cert_dir,"
    " key_dir=tls_key_dir, key_rotate=tls_key_rotate) }}"
)


def rendered(expression: str, **variables: Any) -> Any:
    return render(expression, {**ROLE, **variables}, FILTERS)


def test_the_filters_are_published():
    assert set(FilterModule().filters()) == {"lab_entries", "host_entries", "file_entries", "entry_errors"}


def test_lab_entries_through_the_templar():
    # the lab CA's task has not run yet: no entry (the result is undefined)
    assert rendered(LAB_ENTRIES) == []
    assert rendered(LAB_ENTRIES, __tls_lab_ca_result={"skipped": True}) == []
    (entry,) = rendered(LAB_ENTRIES, __tls_lab_ca_result=LAB, ansible_check_mode=False)
    assert entry == {
        "name": "web1",
        "certificate": "/lab/web1.crt",
        "private_key": "/lab/web1.key",
        "hostnames": ["web1"],
        "chain": "/lab/intermediate.crt",
    }
    # check mode: the certificate that run would create is not deployed
    assert rendered(LAB_ENTRIES, __tls_lab_ca_result=LAB, ansible_check_mode=True) == []
    # keys on the host: the lab certificates' own templates rendered
    (entry,) = rendered(LAB_ENTRIES, __tls_lab_ca_result=LAB, tls_lab_key_on_host="yes")
    assert (entry["name"], entry["source"], entry["ca_private_key"]) == ("web1", "ca", "/lab/intermediate.key")
    assert rendered(LAB_ENTRIES, __tls_lab_ca_result=LAB, tls_lab_ca_enabled=False) == []


def test_host_entries_and_file_entries_through_the_templar():
    (entry,) = rendered(HOST_ENTRIES)
    assert {k: entry[k] for k in ("index", "key_type", "cert_path", "key_path", "rotate_key", "min_days_valid")} == {
        "index": 1,
        "key_type": "ec_p384",
        "cert_path": "/srv/certs/site.crt",
        "key_path": "/srv/keys/site.key",
        "rotate_key": False,
        "min_days_valid": 14,
    }
    assert "PRIVATE KEY" not in repr(rendered(HOST_ENTRIES))
    (given,) = rendered(
        "{{ tls_certificates | webedge.https.tls.file_entries(cert_dir=tls_cert_dir, key_dir=tls_key_dir) }}"
    )
    assert given == {
        "index": 0,
        "name": "given",
        "remote_src": False,
        "cert_path": "/srv/certs/given.crt",
        "fullchain_path": "/srv/certs/given.fullchain.pem",
        "key_path": "/srv/keys/given.key",
        "owner": "root",
        "group": "root",
        "mode": "0600",
        "hostnames": [],
        "min_days_valid": 30,
        "key_types": ["rsa", "ec_p256", "ec_p384"],
        "backup": False,
        "inline": ["private_key_content"],
    }


ERRORS = (
    "{{ tls_certificates | webedge.https.tls.entry_errors(hosted, key_types=key_types,"
    " acme_directory=tls_acme_directory, acme_account_key=tls_acme_account_key,"
    " served_names=tls_acme_served_names) }}"
)


def test_entry_errors_through_the_templar():
    hosted = rendered(HOST_ENTRIES)
    key_types = {"ec_p256": [], "ec_p384": []}  # the role passes its dictionary of key types
    assert rendered(ERRORS, hosted=hosted, key_types=key_types) == []
    (error,) = rendered(ERRORS, hosted=hosted, key_types=key_types, tls_acme_served_names=["other.example"])
    assert error.startswith("tls_certificates entry site: www.example.com is not served by this host's web server")
    (error,) = rendered(ERRORS, hosted=hosted, key_types=["rsa2048"], tls_acme_directory="{{ 'ftp://x' }}")
    assert error == (
        "tls_certificates entry site (source acme): needs hostnames (got ['www.example.com']), a key_type of rsa2048"
        ' (got ec_p384), tls_acme_directory (an http(s) URL, got "ftp://x") and tls_acme_account_key (got'
        ' "/keys/account.key") and a positive valid_days. Nothing was changed.'
    )


def test_bad_input_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r"tls\.host_entries: expected a list, got str"):
        FILTERS["webedge.https.tls.host_entries"]("site")
    with pytest.raises(AnsibleFilterError, match=r"tls\.file_entries: entry 1 is a str, not a dictionary"):
        FILTERS["webedge.https.tls.file_entries"]([{"name": "a"}, "b"])
    with pytest.raises(AnsibleFilterError, match=r"tls\.file_entries: unknown option among \['key_dirs'\]"):
        FILTERS["webedge.https.tls.file_entries"]([], key_dirs="/k")
    with pytest.raises(AnsibleFilterError, match=r"tls\.lab_entries: expected the result of tls_lab_ca, got list"):
        FILTERS["webedge.https.tls.lab_entries"]([])
    with pytest.raises(
        AnsibleFilterError, match=r"tls\.lab_entries: a lab certificate or the lab CA's result lacks 'name'"
    ):
        FILTERS["webedge.https.tls.lab_entries"](LAB, [{"hostnames": ["a"]}], key_on_host=True)
    with pytest.raises(AnsibleFilterError, match=r"tls\.entry_errors served_names: expected a list, got str"):
        FILTERS["webedge.https.tls.entry_errors"]([], [], ["ec_p256"], served_names="www.example.com")
    # through the templar too
    with pytest.raises(Exception, match=r"tls\.host_entries: expected a list"):
        rendered("{{ 'site' | webedge.https.tls.host_entries }}")


# ansible-core finds webedge.https.tls.<name> by importing every file of plugins/filter/tls (in each worker process),
# and a top-level filter by importing every top-level file: the tls role's lookups import the tls entries and no
# other filter file, the web roles' lookups do not import them.
LOOKUP = """
import json, sys
from ansible.plugins.loader import filter_loader, init_plugin_loader
init_plugin_loader([sys.argv[1]])
found = filter_loader.get(sys.argv[2])
ours = sorted(m for m in sys.modules if m.startswith("ansible_collections.webedge.https.plugins."))
print(json.dumps({"found": found is not None, "modules": ours}))
"""
COLLECTIONS = pathlib.Path(__file__).absolute().parents[8]
ENTRIES = "ansible_collections.webedge.https.plugins.plugin_utils.tls.entries"


def lookup(name: str) -> Dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", LOOKUP, str(COLLECTIONS), name], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_a_lookup_of_the_tls_filters_imports_only_them():
    result = lookup("webedge.https.tls.lab_entries")
    assert result["found"]
    prefix = "ansible_collections.webedge.https.plugins.filter."
    filters = [m for m in result["modules"] if m.startswith(prefix) and m != prefix + "tls"]
    assert filters == [prefix + "tls.entries"]
    assert ENTRIES in result["modules"]
    assert not any(m.startswith("ansible_collections.webedge.https.plugins.module_utils") for m in result["modules"])


def test_a_lookup_of_a_top_level_filter_does_not_import_the_tls_entries():
    result = lookup("webedge.https.web_files_same")
    assert result["found"] and ENTRIES not in result["modules"]
