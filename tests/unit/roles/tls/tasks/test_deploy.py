# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/deploy.yml: webedge.https.tls_certificate's options for each entry given as files come from one
filter call (webedge.https.tls.file_entries, the loop) instead of the list of every entry rendered again for each
option. Rendered by Ansible's templar, the task's options are those of the Jinja it replaces (kept here as the
reference) on random entries and role defaults, and the loop items hold none of the entries' inline content."""

from __future__ import annotations

import json
import random
from typing import Any, Dict, List

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task

VARS = {**load("tls", "defaults/main.yml"), **load("tls", "vars/main.yml")}
FACTS = {"playbook_dir": "/srv/play", "inventory_hostname": "web1", "omit": "OMITTED"}
TASK = task("tls", "deploy.yml", "Validate on the controller and install each certificate")

# The task's options and variables before the filter (the reference): looped over the indexes of the entries of
# source files, each option read from the entry itself.
OLD_OPTIONS = {
    "certificate": "{{ __tls_entry.certificate | default(omit) }}",
    "certificate_content": "{{ __tls_entry.certificate_content | default(omit) }}",
    "private_key": "{{ __tls_entry.private_key | default(omit) }}",
    "private_key_content": "{{ __tls_entry.private_key_content | default(omit) }}",
    "private_key_passphrase": "{{ __tls_entry.private_key_passphrase | default(omit) }}",
    "chain": "{{ __tls_entry.chain | default(omit) }}",
    "chain_content": "{{ __tls_entry.chain_content | default(omit) }}",
    "remote_src": "{{ __tls_entry.remote_src | default(false) }}",
    "cert_path": """{{ __tls_entry.cert_path | default(omit) if __tls_explicit
         else tls_cert_dir ~ '/' ~ __tls_entry.name ~ '.crt' }}""",
    "fullchain_path": """{{ __tls_entry.fullchain_path | default(omit) if __tls_explicit
         else tls_cert_dir ~ '/' ~ __tls_entry.name ~ '.fullchain.pem' }}""",
    "chain_path": """{{ __tls_entry.chain_path | default(omit) if __tls_explicit
         else (tls_cert_dir ~ '/' ~ __tls_entry.name ~ '.chain.pem' if __tls_has_chain else omit) }}""",
    "key_path": """{{ __tls_entry.key_path | default(omit) if __tls_explicit
         else (tls_key_dir ~ '/' ~ __tls_entry.name ~ '.key' if __tls_has_key else omit) }}""",
    "owner": "{{ __tls_entry.owner | default(tls_key_owner) }}",
    "group": "{{ __tls_entry.group | default(tls_key_group) }}",
    "mode": "{{ __tls_entry.mode | default(tls_key_mode) }}",
    "hostnames": "{{ __tls_entry.hostnames | default([]) }}",
    "min_days_valid": "{{ __tls_entry.min_days_valid | default(tls_min_days_valid) }}",
    "key_types": "{{ __tls_entry.key_types | default(tls_key_types) }}",
    "backup": "{{ __tls_entry.backup | default(tls_backup) }}",
    "directories": "{{ __tls_directories }}",
}
OLD_VARS = {
    "__tls_entry": "{{ __tls_all[__tls_index] }}",
    "__tls_explicit": "{{ ['cert_path', 'key_path', 'chain_path', 'fullchain_path'] | select('in', __tls_entry) "
    "| list | length > 0 }}",
    "__tls_has_chain": "{{ __tls_entry.chain is defined or __tls_entry.chain_content is defined }}",
    "__tls_has_key": "{{ __tls_entry.private_key is defined or __tls_entry.private_key_content is defined }}",
}

SECRETS = {
    "certificate_content": "-----BEGIN CERTIFICATE-----\nCERT-CONTENT",
    "private_key_content": "-----BEGIN PRIVATE KEY-----\nKEY-CONTENT",
    "private_key_passphrase": "PASSPHRASE-hunter2",
    "chain_content": "-----BEGIN CERTIFICATE-----\nCHAIN-CONTENT",
}
VALUES: Dict[str, List[Any]] = {
    "certificate": ["/c.crt", "", None],
    "private_key": ["/c.key", None],
    "chain": ["/chain.pem", ""],
    "remote_src": [True, False, "yes"],
    "cert_path": ["/x/site.crt", None],
    "fullchain_path": ["/x/site.full.pem"],
    "chain_path": ["/x/site.chain", ""],
    "key_path": ["/x/private/site.key"],
    "owner": ["www-data", None],
    "group": ["ssl-cert"],
    "mode": ["0640", 384],
    "hostnames": [["a.example", "10.0.0.1"], []],
    "min_days_valid": [7, "14"],
    "key_types": [["rsa"], []],
    "backup": [True, "no"],
    **{k: [v, ""] for k, v in SECRETS.items()},
}
OTHERS = [
    {"name": "site", "source": "acme", "hostnames": ["www.example.com"]},
    {"name": "internal", "source": "ca", "hostnames": ["api"], "ca_certificate": "/ca.crt", "ca_private_key": "/k"},
]


def _entry(rng: random.Random, n: int) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"name": rng.choice([f"cert{n}", f"c.{n}-x", 42])}
    if rng.random() < 0.3:
        entry["source"] = "files"
    for key, choices in VALUES.items():
        if rng.random() < 0.35:
            entry[key] = rng.choice(choices)
    return entry


def _entries(rng: random.Random) -> List[Dict[str, Any]]:
    entries = [_entry(rng, n) for n in range(rng.randint(0, 4))] + rng.sample(OTHERS, rng.randint(0, 2))
    rng.shuffle(entries)
    return entries


def _defaults(rng: random.Random) -> Dict[str, Any]:
    return {
        "tls_cert_dir": rng.choice(["/etc/ssl/webedge", "/srv/tls/"]),
        "tls_key_dir": rng.choice(["/etc/ssl/webedge/private", "/srv/keys"]),
        "tls_key_owner": rng.choice(["root", "nginx"]),
        "tls_key_group": rng.choice(["root", "ssl-cert"]),
        "tls_key_mode": rng.choice(["0600", "0640"]),
        "tls_min_days_valid": rng.choice([30, 10]),
        "tls_key_types": rng.choice([["rsa", "ec_p256", "ec_p384"], ["ec_p256"]]),
        "tls_backup": rng.choice([False, True]),
    }


def _given(options: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in options.items() if v != "OMITTED"}


@pytest.mark.parametrize("seed", range(12))
def test_the_options_of_each_entry_are_those_of_the_jinja_they_replace(seed: int) -> None:
    rng = random.Random(seed)
    for _case in range(10):
        variables = {**VARS, **FACTS, **_defaults(rng), "tls_certificates": _entries(rng)}
        everything = render("{{ __tls_all }}", variables)
        indexes = [i for i, e in enumerate(everything) if e.get("source", "files") == "files"]

        items = render(TASK["loop"], variables)
        assert [item["index"] for item in items] == indexes
        for index, item in zip(indexes, items):
            old = render(OLD_OPTIONS, {**variables, **OLD_VARS, "__tls_index": index})
            new = render(TASK["webedge.https.tls_certificate"], {**variables, "__tls_file": item})
            assert _given(new) == _given(old), (index, everything[index])
            label = render(TASK["loop_control"]["label"], {**variables, "__tls_file": item})
            assert label == render("{{ __tls_entry.name }}", {**variables, **OLD_VARS, "__tls_index": index})


def test_the_loop_items_hold_none_of_the_inline_content() -> None:
    entries = [{"name": "inline", **SECRETS}, {"name": "files", "certificate": "/c.crt", "private_key": "/c.key"}]
    items = render(TASK["loop"], {**VARS, **FACTS, "tls_certificates": entries})
    text = json.dumps(items)
    assert [s for s in SECRETS.values() if s in text] == []
    assert items[0]["inline"] == sorted(SECRETS, key=list(SECRETS).index)
    assert items[1]["inline"] == []
    # the task itself still gives the module every inline option of the entry
    variables = {**VARS, **FACTS, "tls_certificates": entries, "__tls_file": items[0]}
    given = render(TASK["webedge.https.tls_certificate"], variables)
    assert {k: given[k] for k in SECRETS} == SECRETS
    assert given["key_path"] == "/etc/ssl/webedge/private/inline.key"
    assert given["chain_path"] == "/etc/ssl/webedge/inline.chain.pem"
