# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-03 on Windows: the access rules of a certificate's key file decide, as a table.

The ACEs are shaped like the compliance role's PowerShell read (sid, principal, type, rights,
inherit_only); they are written by hand from the documented FileSystemRights values, not captured
from a Windows host.
"""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.host import evaluate_host

FULL = 2032127  # FileSystemRights.FullControl
READ = 131209  # FileSystemRights.Read (ReadData, ReadAttributes, ReadExtendedAttributes, ReadPermissions)
READ_ATTRIBUTES = 128  # ReadAttributes only: the file's content stays unreadable
GENERIC_READ = -2147483648  # 0x80000000 as the Int32 the enum holds
CHANGE_PERMISSIONS = 262144  # WRITE_DAC: can grant itself read
PATH = "Cert:\\LocalMachine\\My\\0123456789ABCDEF0123456789ABCDEF01234567"
FILE = "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\d6d986f09a1ee04e24c949879fdb506c_3d1e1a5a"
SYSTEM = {"sid": "S-1-5-18", "principal": "NT AUTHORITY\\SYSTEM", "type": "Allow", "rights": FULL}
ADMINS = {"sid": "S-1-5-32-544", "principal": "BUILTIN\\Administrators", "type": "Allow", "rights": FULL}
USERS = {"sid": "S-1-5-32-545", "principal": "BUILTIN\\Users", "type": "Allow", "rights": READ}
APPPOOL = {"sid": "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415", "principal": "IIS APPPOOL\\www"}
SVC = {"sid": "S-1-5-21-1-2-3-1105", "principal": "CONTOSO\\svc-web", "type": "Allow", "rights": READ}
OWNER = {"sid": "S-1-5-18", "principal": "NT AUTHORITY\\SYSTEM"}


def _key(acl, **changes):
    fact = {"path": PATH, "file": FILE, "owner": OWNER, "acl": acl, "error": None, "allowed": [], "administrators": []}
    fact.update(changes)
    return fact


def _host03(fact):
    return evaluate_host({"private_key": fact}, target="win1")["HOST-03"]


CASES = [
    ("system_and_admins_only", _key([SYSTEM, ADMINS]), "pass", "readable only by BUILTIN\\Administrators"),
    ("apppool_granted_by_iis", _key([SYSTEM, ADMINS, {**APPPOOL, "type": "Allow", "rights": READ}]), "pass", "IIS"),
    (
        "network_service",
        _key(
            [SYSTEM, {"sid": "S-1-5-20", "principal": "NT AUTHORITY\\NETWORK SERVICE", "type": "Allow", "rights": READ}]
        ),
        "pass",
        "NETWORK SERVICE",
    ),
    ("users_can_read", _key([SYSTEM, ADMINS, USERS]), "fail", "is readable by BUILTIN\\Users"),
    ("generic_read_counts", _key([SYSTEM, {**USERS, "rights": GENERIC_READ}]), "fail", "BUILTIN\\Users"),
    ("change_permissions_counts", _key([SYSTEM, {**USERS, "rights": CHANGE_PERMISSIONS}]), "fail", "BUILTIN\\Users"),
    ("attributes_only_is_no_read", _key([SYSTEM, {**USERS, "rights": READ_ATTRIBUTES}]), "pass", "only by"),
    ("deny_rules_grant_nothing", _key([SYSTEM, {**USERS, "type": "Deny"}]), "pass", "only by NT AUTHORITY\\SYSTEM"),
    ("inherit_only_rules_do_not_apply", _key([SYSTEM, {**USERS, "inherit_only": True}]), "pass", "only by"),
    ("service_account_not_listed", _key([SYSTEM, SVC]), "fail", "readable by CONTOSO\\svc-web"),
    ("service_account_allowed_by_name", _key([SYSTEM, SVC], allowed=["contoso\\SVC-web"]), "pass", "svc-web"),
    ("service_account_allowed_by_sid", _key([SYSTEM, SVC], allowed=["S-1-5-21-1-2-3-1105"]), "pass", "svc-web"),
    (
        "direct_member_of_administrators",
        _key([SYSTEM, {**SVC, "rights": FULL}], administrators=["S-1-5-21-1-2-3-1105"]),
        "pass",
        "svc-web",
    ),
    (
        "builtin_administrator_account",
        _key(
            [SYSTEM, {"sid": "S-1-5-21-9-8-7-500", "principal": "WIN1\\Administrator", "type": "Allow", "rights": FULL}]
        ),
        "pass",
        "WIN1\\Administrator",
    ),
    (
        "owner_outside_the_readers",
        _key([SYSTEM], owner={"sid": "S-1-5-21-1-2-3-1105", "principal": "CONTOSO\\svc-web"}),
        "fail",
        "CONTOSO\\svc-web (owner, can change the access rules)",
    ),
    ("key_not_a_file", _key(None, error="key container x (TPM) is not a file"), "error", "is not a file"),
    ("acl_missing", _key(None), "error", "access rules unknown"),
    ("rights_garbage", _key([SYSTEM, {**USERS, "rights": "lots"}]), "error", "rights of BUILTIN\\Users unknown"),
]


@pytest.mark.parametrize(("fact", "status", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_key_access_rules_decide_host03(fact, status, text):
    finding = _host03(fact)
    assert finding.status == status
    assert text in finding.message
    assert finding.severity == "high"


def test_failure_names_the_key_file_and_every_extra_reader():
    finding = _host03(_key([SYSTEM, USERS, SVC]))
    assert finding.message == f"private key of {PATH} ({FILE}) is readable by BUILTIN\\Users, CONTOSO\\svc-web"
    assert finding.observed == ["BUILTIN\\Users", "CONTOSO\\svc-web", "NT AUTHORITY\\SYSTEM"]


def test_unix_key_facts_still_use_the_mode():
    assert _host03({"path": "/k", "mode": "0644"}).message == "/k has mode 0644: other users have access"
