# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/vars/main.yml: the entries whose key is made on the host (defaults filled in, no secrets),
the entries deployed from files, a CSR's subjectAltName and openssl arguments, the new key's place."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render

VARS = {**load("tls", "defaults/main.yml"), **load("tls", "vars/main.yml")}
# tls_lab_ca_dir's default names playbook_dir; inventory_hostname feeds tls_lab_certificates
FACTS = {"playbook_dir": "/srv/play", "inventory_hostname": "web1"}


def rendered(expression: str, **variables: Any) -> Any:
    return render(expression, {**VARS, **FACTS, **variables})


ACME = {"name": "site", "source": "acme", "hostnames": ["www.example.com", "example.com"]}
CA = {
    "name": "internal",
    "source": "ca",
    "hostnames": ["10.0.0.5", "api.internal"],
    "ca_certificate": "/ca/ca.crt",
    "ca_private_key": "/ca/ca.key",
    "ca_private_key_passphrase": "secret",
    "key_type": "rsa3072",
    "min_days_valid": "14",
}
FILES = {"name": "given", "cert_path": "/x.crt", "key_content": "-----BEGIN PRIVATE KEY-----\n..."}


def test_host_entries_take_the_role_defaults():
    (entry,) = rendered("{{ __tls_host_entries }}", tls_certificates=[ACME])
    assert entry == {
        "index": 0,
        "name": "site",
        "source": "acme",
        "hostnames": ["www.example.com", "example.com"],
        "common_name": "www.example.com",
        "key_type": "ec_p256",
        "cert_path": "/etc/ssl/webedge/site.crt",
        "fullchain_path": "/etc/ssl/webedge/site.fullchain.pem",
        "chain_path": "/etc/ssl/webedge/site.chain.pem",
        "key_path": "/etc/ssl/webedge/private/site.key",
        "rotate_key": True,
        "owner": "root",
        "group": "root",
        "mode": "0600",
        "min_days_valid": 30,
        "backup": False,
        "valid_days": 90,
        "ca_certificate": "",
        "ca_private_key": "",
        "ca_chain": "",
        "challenge_root": "/var/www/acme-challenge",
    }


def test_host_entries_keep_their_own_settings_point_back_and_hold_no_secret():
    entries = rendered("{{ __tls_host_entries }}", tls_certificates=[FILES, CA, ACME], tls_key_rotate=False)
    assert [(e["index"], e["name"]) for e in entries] == [(1, "internal"), (2, "site")]
    internal = entries[0]
    assert (internal["key_type"], internal["min_days_valid"], internal["rotate_key"]) == ("rsa3072", 14, False)
    assert "secret" not in repr(entries) and "PRIVATE KEY" not in repr(entries)
    assert rendered("{{ __tls_acme_entries | map(attribute='name') | list }}", tls_certificates=[FILES, CA, ACME]) == [
        "site"
    ]


def test_a_long_first_name_gives_no_common_name():
    long_name = "a" * 60 + ".example.com"
    (entry,) = rendered("{{ __tls_host_entries }}", tls_certificates=[{**ACME, "hostnames": [long_name]}])
    assert entry["common_name"] == ""


def test_file_entries_are_indexes_and_lab_entries_join_them():
    lab = [{"name": "web1", "cert_path": "/lab.crt"}]
    names = "{{ __tls_file_entries | map(attribute='index') | list }}"
    assert rendered(names, tls_certificates=[FILES, CA, ACME]) == [0]
    assert rendered(names, tls_certificates=[CA, FILES], __tls_lab_entries=lab) == [1, 2]


LAB_RESULT = {
    "changed": False,
    "ca_certificate": "/lab/ca.crt",
    "chain": "/lab/intermediate.crt",
    "certificates": {
        "web1": {
            "certificate": "/lab/web1.crt",
            "private_key": "/lab/web1.key",
            "chain": "/lab/intermediate.crt",
            "hostnames": ["web1", "10.0.0.1"],
            "created": False,
        },
        "new": {
            "certificate": "/lab/new.crt",
            "private_key": "/lab/new.key",
            "chain": "",
            "hostnames": ["n"],
            "created": True,
        },
    },
}


def test_lab_entries_come_from_the_lab_ca_result_only_when_the_lab_ca_is_enabled():
    # not enabled, or not read yet (validate.yml renders __tls_all before lab.yml runs): none
    assert rendered("{{ __tls_lab_entries }}", __tls_lab_ca_result=LAB_RESULT) == []
    assert rendered("{{ __tls_lab_entries }}", tls_lab_ca_enabled=True) == []
    entries = rendered(
        "{{ __tls_lab_entries }}", tls_lab_ca_enabled=True, __tls_lab_ca_result=LAB_RESULT, ansible_check_mode=False
    )
    assert entries == [
        {
            "name": "web1",
            "certificate": "/lab/web1.crt",
            "private_key": "/lab/web1.key",
            "hostnames": ["web1", "10.0.0.1"],
            "chain": "/lab/intermediate.crt",
        },
        {"name": "new", "certificate": "/lab/new.crt", "private_key": "/lab/new.key", "hostnames": ["n"]},
    ]
    # check mode: a certificate that run would create is not there to deploy
    checked = rendered(
        "{{ __tls_lab_entries | map(attribute='name') | list }}",
        tls_lab_ca_enabled=True,
        __tls_lab_ca_result=LAB_RESULT,
        ansible_check_mode=True,
    )
    assert checked == ["web1"]
    assert rendered(
        "{{ __tls_file_entries | map(attribute='index') | list }}",
        tls_certificates=[CA],
        tls_lab_ca_enabled=True,
        __tls_lab_ca_result=LAB_RESULT,
        ansible_check_mode=False,
    ) == [1, 2]


def test_lab_entries_with_keys_made_on_the_host_are_signed_by_the_intermediate():
    (entry,) = rendered(
        "{{ __tls_lab_entries }}",
        tls_lab_ca_enabled=True,
        tls_lab_key_on_host=True,
        tls_lab_certificates=[{"name": "web1", "hostnames": ["web1"]}],
        __tls_lab_ca_result={**LAB_RESULT, "certificates": {}},
    )
    assert entry == {
        "name": "web1",
        "source": "ca",
        "hostnames": ["web1"],
        "ca_certificate": "/lab/intermediate.crt",
        "ca_private_key": "/lab/intermediate.key",
        "ca_chain": "/lab/intermediate.crt",
        "valid_days": VARS["tls_lab_valid_days"],
        "min_days_valid": VARS["tls_lab_renew_days"],
    }
    assert rendered(
        "{{ __tls_host_entries | map(attribute='name') | list }}",
        tls_lab_ca_enabled=True,
        tls_lab_key_on_host=True,
        tls_lab_certificates=[{"name": "web1", "hostnames": ["web1"]}],
        __tls_lab_ca_result={**LAB_RESULT, "certificates": {}},
    ) == ["web1"]


def _entry(**changes: Any) -> Dict[str, Any]:
    return {"name": "site", "key_path": "/etc/ssl/webedge/private/site.key", "key_type": "ec_p256", **changes}


def test_subject_alt_names_tell_addresses_from_names():
    entry = _entry(hostnames=["www.example.com", "192.0.2.7", "2001:db8::1", "*.example.com"])
    assert rendered("{{ __tls_san }}", __tls_entry=entry) == (
        "DNS:www.example.com,IP:192.0.2.7,IP:2001:db8::1,DNS:*.example.com"
    )


def test_csr_arguments_are_an_argv_with_the_usages_of_the_key_type():
    ec = rendered(
        "{{ __tls_req_args }}",
        __tls_entry=_entry(hostnames=["www.example.com"], common_name="www.example.com"),
        __tls_key_file="/k",
    )
    assert ec == [
        "-key",
        "/k",
        "-subj",
        "/CN=www.example.com",
        "-addext",
        "subjectAltName=DNS:www.example.com",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "keyUsage=critical,digitalSignature",
        "-addext",
        "extendedKeyUsage=serverAuth",
    ]
    rsa = rendered(
        "{{ __tls_req_args }}",
        __tls_entry=_entry(hostnames=["a.example.com"], common_name="", key_type="rsa2048"),
        __tls_key_file="/k",
    )
    assert rsa[3] == "/" and "keyUsage=critical,digitalSignature,keyEncipherment" in rsa


def test_the_new_key_waits_hidden_beside_the_current_one():
    assert rendered("{{ __tls_new_key_path }}", __tls_entry=_entry()) == "/etc/ssl/webedge/private/.site.key.new"


def test_every_key_type_has_openssl_arguments_and_a_family():
    args = VARS["__tls_genpkey_args"]
    assert set(args) == set(VARS["__tls_key_type_family"])
    assert VARS["tls_key_type"] in args
