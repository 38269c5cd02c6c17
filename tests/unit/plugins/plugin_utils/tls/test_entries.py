# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/tls/entries.py: the tls role's lab entries, host entries, file indexes and checks, with the
meaning the role's Jinja gave them (an entry's own value kept even when None or '', the int and bool filters)."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.tls.entries import (
    FileDefaults,
    HostDefaults,
    entry_errors,
    file_entries,
    host_entries,
    lab_entries,
)

KEY_TYPES = ["ec_p256", "ec_p384", "rsa2048", "rsa3072", "rsa4096"]

LAB_RESULT: Dict[str, Any] = {
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
LAB_CERTS = [{"name": "web1", "hostnames": ["web1", "192.0.2.1"]}]

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
FILES = {"name": "given", "cert_path": "/x.crt", "private_key_content": "-----BEGIN PRIVATE KEY-----\n..."}


# lab_entries


def test_no_lab_entries_when_the_lab_ca_is_off_or_its_result_not_there():
    assert lab_entries(LAB_RESULT, LAB_CERTS, enabled=False) == []
    assert lab_entries(LAB_RESULT, LAB_CERTS, enabled="no") == []
    assert lab_entries(None, LAB_CERTS, enabled=True) == []
    # the task was skipped: a result without ca_certificate
    assert lab_entries({"skipped": True, "changed": False}, LAB_CERTS, enabled=True) == []
    assert lab_entries({}, LAB_CERTS, enabled=True, key_on_host=True) == []


def test_lab_entries_made_on_the_controller_keep_their_chain_only_when_they_have_one():
    assert lab_entries(LAB_RESULT, LAB_CERTS, enabled=True, check_mode=False) == [
        {
            "name": "web1",
            "certificate": "/lab/web1.crt",
            "private_key": "/lab/web1.key",
            "hostnames": ["web1", "10.0.0.1"],
            "chain": "/lab/intermediate.crt",
        },
        {"name": "new", "certificate": "/lab/new.crt", "private_key": "/lab/new.key", "hostnames": ["n"]},
    ]
    # a chain given as None (no intermediate) is left out as '' is
    result = {**LAB_RESULT, "certificates": {"a": {**LAB_RESULT["certificates"]["web1"], "chain": None}}}
    ((entry),) = lab_entries(result, [], enabled="yes")
    assert "chain" not in entry


def test_check_mode_leaves_out_the_lab_certificates_that_run_would_create():
    names = [e["name"] for e in lab_entries(LAB_RESULT, LAB_CERTS, enabled=True, check_mode=True)]
    assert names == ["web1"]
    # a real run deploys what it created
    names = [e["name"] for e in lab_entries(LAB_RESULT, LAB_CERTS, enabled=True, check_mode=False)]
    assert names == ["web1", "new"]


def test_lab_keys_on_the_host_are_signed_by_the_intermediate_when_there_is_one():
    (entry,) = lab_entries(LAB_RESULT, LAB_CERTS, enabled=True, key_on_host=True, valid_days=45, renew_days=10)
    assert entry == {
        "name": "web1",
        "source": "ca",
        "hostnames": ["web1", "192.0.2.1"],
        "ca_certificate": "/lab/intermediate.crt",
        "ca_private_key": "/lab/intermediate.key",
        "ca_chain": "/lab/intermediate.crt",
        "valid_days": 45,
        "min_days_valid": 10,
    }
    # the controller's own certificates are not deployed then
    assert all("certificate" not in e for e in lab_entries(LAB_RESULT, LAB_CERTS, enabled=True, key_on_host="true"))


def test_lab_keys_on_the_host_without_an_intermediate_are_signed_by_the_root():
    (entry,) = lab_entries({**LAB_RESULT, "chain": None}, LAB_CERTS, enabled=True, key_on_host=True)
    assert (entry["ca_certificate"], entry["ca_private_key"], entry["ca_chain"]) == (
        "/lab/ca.crt",
        "/lab/ca.key",
        "",
    )


# host_entries


def test_a_host_entry_takes_every_role_default():
    (entry,) = host_entries([ACME], HostDefaults())
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


def test_host_entries_take_the_defaults_given_and_convert_as_the_int_and_bool_filters():
    defaults = HostDefaults(
        key_type="ec_p384",
        cert_dir="/srv/c",
        key_dir="/srv/k",
        key_rotate="no",
        key_owner="www",
        key_group="ssl",
        key_mode="0640",
        min_days_valid="21",
        backup=True,
        valid_days="60",
        challenge_root="/acme",
    )
    (entry,) = host_entries([{"name": "n", "source": "ca", "hostnames": ["n"]}], defaults)
    assert {k: entry[k] for k in ("key_type", "cert_path", "key_path", "rotate_key", "owner", "group", "mode")} == {
        "key_type": "ec_p384",
        "cert_path": "/srv/c/n.crt",
        "key_path": "/srv/k/n.key",
        "rotate_key": False,
        "owner": "www",
        "group": "ssl",
        "mode": "0640",
    }
    assert (entry["min_days_valid"], entry["valid_days"], entry["backup"], entry["challenge_root"]) == (
        21,
        60,
        True,
        "/acme",
    )
    # the entry's own: '14' is 14, '3.9' is 3, 'soon' is 0; 'yes' and 'on' are true, 'off' false
    own = {"name": "n", "source": "acme", "hostnames": ["n"]}
    got = host_entries(
        [
            {**own, "min_days_valid": "14", "valid_days": "3.9", "rotate_key": "yes"},
            {**own, "min_days_valid": "soon", "rotate_key": "off"},
            {**own, "rotate_key": "On"},
        ],
        defaults,
    )
    assert [(e["min_days_valid"], e["valid_days"], e["rotate_key"]) for e in got] == [
        (14, 3, True),
        (0, 60, False),
        (21, 60, True),
    ]


def test_host_entries_keep_their_own_values_point_back_and_hold_no_secret():
    entries = host_entries([FILES, CA, ACME], HostDefaults(key_rotate=False))
    assert [(e["index"], e["name"], e["source"]) for e in entries] == [(1, "internal", "ca"), (2, "site", "acme")]
    internal = entries[0]
    assert (internal["key_type"], internal["min_days_valid"], internal["rotate_key"]) == ("rsa3072", 14, False)
    assert (internal["ca_certificate"], internal["ca_private_key"], internal["common_name"]) == (
        "/ca/ca.crt",
        "/ca/ca.key",
        "10.0.0.5",
    )
    assert "secret" not in repr(entries) and "PRIVATE KEY" not in repr(entries)
    assert "ca_private_key_passphrase" not in internal


def test_an_entry_value_given_as_none_or_empty_is_kept_as_default_would_keep_it():
    (entry,) = host_entries(
        [
            {
                **ACME,
                "owner": None,
                "mode": "",
                "common_name": None,
                "key_path": None,
                "backup": None,
                "ca_chain": None,
                "min_days_valid": None,
                "rotate_key": False,
            }
        ],
        HostDefaults(),
    )
    assert (entry["owner"], entry["mode"], entry["common_name"], entry["key_path"], entry["backup"]) == (
        None,
        "",
        None,
        None,
        None,
    )
    # None as a number is 0 (the int filter); False stays false (not replaced by the default's true)
    assert (entry["ca_chain"], entry["min_days_valid"], entry["rotate_key"]) == (None, 0, False)


def test_common_name_is_the_first_name_when_it_fits_and_none_without_names():
    long_name = "a" * 60 + ".example.com"
    assert host_entries([{**ACME, "hostnames": [long_name, "b"]}], HostDefaults())[0]["common_name"] == ""
    assert host_entries([{**ACME, "hostnames": ["a" * 64]}], HostDefaults())[0]["common_name"] == "a" * 64
    assert host_entries([{"name": "n", "source": "ca"}], HostDefaults())[0]["hostnames"] == []
    (entry,) = host_entries([{"name": "n", "source": "ca", "hostnames": None}], HostDefaults())
    assert (entry["hostnames"], entry["common_name"]) == (None, "")
    assert host_entries([{**ACME, "common_name": "given"}], HostDefaults())[0]["common_name"] == "given"


def test_an_entry_without_a_source_or_with_another_source_is_no_host_entry():
    assert (
        host_entries([{"name": "a"}, {"name": "b", "source": "files"}, {"name": "c", "source": None}], HostDefaults())
        == []
    )
    assert host_entries(None, HostDefaults()) == []


# file_entries


def _names(entries: Any) -> Any:
    return [(e["index"], e["name"]) for e in file_entries(entries, FileDefaults())]


def test_file_entries_are_the_entries_of_source_files_only_with_the_role_paths_for_their_name():
    names = _names
    assert names([FILES, CA, ACME]) == [(0, FILES["name"])]
    assert names([CA, FILES, {"name": "lab", "certificate": "/l.crt"}]) == [(1, FILES["name"]), (2, "lab")]
    assert names([{"name": "x", "source": None}, {"name": "y", "source": "files"}]) == [(1, "y")]
    assert file_entries([], FileDefaults()) == [] and file_entries(None, FileDefaults()) == []
    (lab,) = file_entries(
        [{"name": "lab", "certificate": "/l.crt", "chain": ""}], FileDefaults(cert_dir="/c", key_dir="/k")
    )
    assert (lab["cert_path"], lab["fullchain_path"], lab["chain_path"]) == (
        "/c/lab.crt",
        "/c/lab.fullchain.pem",
        "/c/lab.chain.pem",
    )
    assert "key_path" not in lab and lab["inline"] == []


def test_file_entries_keep_the_paths_an_entry_names_and_none_of_its_inline_content():
    entry = {
        "name": "e",
        "cert_path": "/x.crt",
        "private_key_content": "KEY",
        "private_key_passphrase": "PW",
        "owner": None,
    }
    (deployed,) = file_entries([entry], FileDefaults())
    assert deployed["cert_path"] == "/x.crt"
    assert [k for k in ("fullchain_path", "chain_path", "key_path") if k in deployed] == []
    assert deployed["inline"] == ["private_key_content", "private_key_passphrase"]
    assert "KEY" not in repr(deployed) and "PW" not in repr(deployed)
    assert deployed["owner"] is None and deployed["group"] == "root"  # the entry's own value, even None


# entry_errors


def _errors(entries: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("key_types", KEY_TYPES)
    return entry_errors(entries, host_entries(entries, HostDefaults()), **kwargs)


GOOD = {"acme_directory": "https://acme.example/dir", "acme_account_key": "/keys/account.key"}


def test_good_entries_pass_every_check():
    assert _errors([FILES, CA, ACME], **GOOD, served_names=["www.example.com", "example.com", "other"]) == []
    assert _errors([], served_names=["x"]) == []


@pytest.mark.parametrize(
    "entries",
    [
        [{"name": "a"}, {"name": "a", "source": "ca"}],
        [{"name": "bad name"}],
        [{"name": ".hidden"}],
        [{"name": "a/b"}],
        [{"name": "line\n"}],
        [{"cert_path": "/no-name.crt"}],
        [{"name": None}],
        [{"name": "a", "source": "vault"}],
        [{"name": "a", "source": None}],
    ],
)
def test_names_and_sources_are_checked_first_in_one_message(entries):
    errors = _errors(entries, served_names=["nothing"])
    assert len(errors) == 1
    assert errors[0].startswith("tls_certificates: every entry needs a unique name of letters, digits")
    assert errors[0].endswith("Nothing was changed.")


def test_the_names_message_lists_the_names_and_the_sources_given():
    (error,) = _errors([{"name": "ok"}, {"name": "bad name", "source": "ca"}, {"name": "x", "source": "vault"}])
    assert error == (
        "tls_certificates: every entry needs a unique name of letters, digits, '.', '_' or '-' and a source of"
        " files, acme or ca (names ['ok', 'bad name', 'x'], sources ['ca', 'vault']). Nothing was changed."
    )


def test_a_number_as_a_name_is_read_as_its_text():
    assert _errors([{"name": 2024}, {"name": "b"}]) == []


def test_each_broken_host_entry_gets_its_own_message_naming_its_values():
    entries = [
        {**CA, "hostnames": [], "key_type": "dsa"},
        {**ACME, "valid_days": 0},
        {**CA, "name": "fine"},
        {**CA, "name": "noca", "ca_private_key": None},
    ]
    errors = _errors(entries, acme_directory="ftp://acme", acme_account_key="")
    assert errors == [
        "tls_certificates entry internal (source ca): needs hostnames (got []), a key_type of ec_p256, ec_p384,"
        " rsa2048, rsa3072, rsa4096 (got dsa), ca_certificate and ca_private_key (files on the controller) and a"
        " positive valid_days. Nothing was changed.",
        "tls_certificates entry site (source acme): needs hostnames (got ['www.example.com', 'example.com']), a"
        " key_type of ec_p256, ec_p384, rsa2048, rsa3072, rsa4096 (got ec_p256), tls_acme_directory (an http(s)"
        ' URL, got "ftp://acme") and tls_acme_account_key (got "") and a positive valid_days. Nothing was changed.',
        "tls_certificates entry noca (source ca): needs hostnames (got ['10.0.0.5', 'api.internal']), a key_type"
        " of ec_p256, ec_p384, rsa2048, rsa3072, rsa4096 (got rsa3072), ca_certificate and ca_private_key (files on"
        " the controller) and a positive valid_days. Nothing was changed.",
    ]


@pytest.mark.parametrize(
    "entry, settings",
    [
        ({**ACME, "hostnames": None}, GOOD),
        ({**ACME, "key_type": None}, GOOD),
        ({**ACME, "valid_days": "-1"}, GOOD),
        ({**ACME, "valid_days": None}, GOOD),
        (ACME, {**GOOD, "acme_directory": ""}),
        (ACME, {**GOOD, "acme_directory": None}),
        (ACME, {**GOOD, "acme_directory": "acme.example/dir"}),
        (ACME, {**GOOD, "acme_account_key": ""}),
        ({**CA, "ca_certificate": ""}, {}),
        ({**CA, "ca_private_key": None}, {}),
        ({"name": "c", "source": "ca", "hostnames": ["c"]}, {}),
    ],
)
def test_every_host_entry_rule_fails_on_its_own(entry, settings):
    (error,) = _errors([entry], **settings)
    assert error.startswith(f"tls_certificates entry {entry['name']} (source {entry['source']}): needs hostnames")
    # the same entry with the rule met passes
    assert _errors([ACME if entry["source"] == "acme" else CA], **GOOD) == []


def test_acme_settings_are_shown_as_json():
    (error,) = _errors([ACME], acme_directory=None, acme_account_key="/k")
    assert 'tls_acme_directory (an http(s) URL, got null) and tls_acme_account_key (got "/k")' in error
    # a CA entry does not name the ACME settings
    (error,) = _errors([{**CA, "ca_certificate": ""}])
    assert "tls_acme_directory" not in error


def test_acme_names_the_web_server_does_not_serve_are_named_once_the_entries_pass():
    entries = [ACME, {**ACME, "name": "two", "hostnames": ["a.example", "b.example", "www.example.com"]}, CA]
    errors = _errors(entries, **GOOD, served_names=["www.example.com", "other.example"])
    assert errors == [
        "tls_certificates entry site: example.com is not served by this host's web server (it serves"
        " www.example.com, other.example), so the ACME server's HTTP-01 challenge for it would not reach this"
        " host. Add a site for the name or remove it from hostnames. Nothing was requested or changed.",
        "tls_certificates entry two: a.example, b.example are not served by this host's web server (it serves"
        " www.example.com, other.example), so the ACME server's HTTP-01 challenge for them would not reach this"
        " host. Add a site for the name or remove it from hostnames. Nothing was requested or changed.",
    ]
    # names of a CA entry need not be served; without served names nothing is checked
    assert _errors([CA], served_names=["x"]) == []
    assert _errors(entries, **GOOD, served_names=[]) == []
    assert _errors(entries, **GOOD, served_names=None) == []


def test_a_later_check_runs_only_when_the_earlier_ones_pass():
    # a broken name: no entry message though an entry is broken too
    (error,) = _errors([{**ACME, "name": "bad name", "hostnames": []}], **GOOD, served_names=["x"])
    assert error.startswith("tls_certificates: every entry")
    # a broken entry: no served-names message though its names are not served
    errors = _errors([{**ACME, "valid_days": 0}], **GOOD, served_names=["x"])
    assert len(errors) == 1 and "a positive valid_days" in errors[0]
    # the entries pass: the served-names message
    errors = _errors([ACME], **GOOD, served_names=["x"])
    assert len(errors) == 1 and "not served by this host's web server" in errors[0]


def test_no_message_holds_a_secret():
    entries = [{**CA, "hostnames": []}, {**FILES, "name": "bad name"}]
    assert "secret" not in repr(_errors(entries)) and "PRIVATE" not in repr(_errors(entries))
    assert "secret" not in repr(_errors([{**CA, "hostnames": []}]))
