# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Mozilla profiles rendered for Windows SCHANNEL: per Windows build, with what is left out and why.

Real guideline data from module_utils/tls/profiles.py; the Windows names and builds are those of Microsoft's
"TLS Cipher Suites in Windows Server 2016/2019/2022" lists. Nothing here ran on Windows.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import ProfileError, get_profile
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render import render_profile
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render_schannel import (
    SCHANNEL_CIPHER_POLICY_KEY,
    SCHANNEL_DH_KEY,
    SCHANNEL_PROTOCOLS_KEY,
    parse_windows_build,
    schannel_cipher_suites,
    schannel_curves,
    schannel_policy,
    schannel_protocols,
)

SERVER_2016, SERVER_2019, SERVER_2022, SERVER_2025 = 14393, 17763, 20348, 26100
TLS13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
ECDHE_GCM = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
]
DHE_GCM = ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"]
NO_SCHANNEL_CHACHA = [
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]


@pytest.mark.parametrize(
    ("name", "version", "build", "enabled", "suites"),
    [
        ("modern", "5.7", SERVER_2022, ["TLS 1.3"], TLS13),
        ("modern", "6.0", SERVER_2025, ["TLS 1.3"], TLS13),
        ("intermediate", "5.7", SERVER_2022, ["TLS 1.2", "TLS 1.3"], TLS13 + ECDHE_GCM + DHE_GCM),
        ("intermediate", "6.0", SERVER_2022, ["TLS 1.2", "TLS 1.3"], TLS13 + ECDHE_GCM),
        ("intermediate", "5.7", SERVER_2019, ["TLS 1.2"], ECDHE_GCM + DHE_GCM),
        ("intermediate", "6.0", SERVER_2016, ["TLS 1.2"], ECDHE_GCM),
        ("intermediate", "5.7", None, ["TLS 1.2", "TLS 1.3"], TLS13 + ECDHE_GCM + DHE_GCM),
    ],
)
def test_protocols_and_suites_in_profile_order_with_windows_names(name, version, build, enabled, suites):
    policy = schannel_policy(get_profile(name, version), build)
    assert policy["protocols_enabled"] == enabled
    assert policy["cipher_suites"] == suites
    assert policy["cipher_suite_order"] == ",".join(suites)
    assert policy["problems"] == []


def test_modern_57_is_tls13_only_and_disables_everything_else():
    policy = schannel_policy(get_profile("modern", "5.7"), SERVER_2022)
    assert policy["protocols_enabled"] == ["TLS 1.3"]
    assert policy["protocols_disabled"] == ["SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2"]
    assert policy["cipher_suites_unsupported"] == []
    assert policy["dh_min_key_bits"] is None


def test_intermediate_leaves_out_the_tls12_chacha_suites_with_a_reason():
    policy = schannel_policy(get_profile("intermediate", "6.0"), SERVER_2022)
    assert [u["name"] for u in policy["cipher_suites_unsupported"]] == NO_SCHANNEL_CHACHA
    assert {u["reason"] for u in policy["cipher_suites_unsupported"]} == {"not implemented by Windows SCHANNEL"}
    assert "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: not implemented by Windows SCHANNEL" in policy["left_out"]


def test_intermediate_57_also_leaves_out_dhe_chacha():
    names = [u["name"] for u in schannel_policy(get_profile("intermediate", "5.7"))["cipher_suites_unsupported"]]
    assert names == [*NO_SCHANNEL_CHACHA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]


def test_tls13_before_server_2022_is_left_out_and_its_keys_untouched():
    policy = schannel_policy(get_profile("intermediate", "5.7"), SERVER_2019)
    assert policy["protocols_unsupported"] == ["TLS 1.3"]
    assert "TLS 1.3" not in policy["protocols_disabled"]
    assert not any("TLS 1.3" in entry["path"] for entry in policy["registry"])
    reasons = {u["name"]: u["reason"] for u in policy["cipher_suites_unsupported"]}
    assert reasons["TLS_AES_128_GCM_SHA256"] == (
        "needs Windows Server 2022 (build 20348) or newer; this host is Windows Server 2019 (build 17763)"
    )
    assert policy["left_out"][0].startswith("TLS 1.3: needs Windows Server 2022 (build 20348)")


def test_modern_on_server_2019_is_a_problem_named_in_words():
    policy = schannel_policy(get_profile("modern", "5.7"), SERVER_2019)
    assert policy["protocols_enabled"] == []
    assert policy["cipher_suites"] == []
    assert len(policy["problems"]) == 1
    assert "Windows Server 2019 (build 17763)" in policy["problems"][0]
    assert "intermediate" in policy["problems"][0]


def test_postquantum_group_is_reported_not_configured():
    policy = schannel_policy(get_profile("modern", "6.0"), SERVER_2025)
    assert policy["curves"] == ["curve25519", "NistP256", "NistP384"]
    assert policy["curves_unsupported"] == [{"name": "X25519MLKEM768", "reason": "not implemented by Windows SCHANNEL"}]


def _registry(policy):
    return {(e["path"], e["name"]): (e["type"], e["data"]) for e in policy["registry"]}


def test_registry_values_for_intermediate_on_server_2022():
    reg = _registry(schannel_policy(get_profile("intermediate", "5.7"), SERVER_2022))
    proto = SCHANNEL_PROTOCOLS_KEY + "\\"
    assert reg[(proto + "TLS 1.2\\Server", "Enabled")] == ("dword", 1)
    assert reg[(proto + "TLS 1.2\\Server", "DisabledByDefault")] == ("dword", 0)
    assert reg[(proto + "TLS 1.3\\Server", "Enabled")] == ("dword", 1)
    for old in ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1"):
        assert reg[(proto + old + "\\Server", "Enabled")] == ("dword", 0)
        assert reg[(proto + old + "\\Server", "DisabledByDefault")] == ("dword", 1)
    assert not any(key[0].endswith("\\Client") for key in reg)
    assert reg[(SCHANNEL_CIPHER_POLICY_KEY, "Functions")] == ("string", ",".join(TLS13 + ECDHE_GCM + DHE_GCM))
    assert reg[(SCHANNEL_CIPHER_POLICY_KEY, "EccCurves")] == ("multistring", ["curve25519", "NistP256", "NistP384"])
    assert reg[(SCHANNEL_DH_KEY, "ServerMinKeyBitLength")] == ("dword", 2048)
    assert len(reg) == 6 * 2 + 3


def test_registry_paths_are_the_schannel_and_policy_keys():
    assert SCHANNEL_PROTOCOLS_KEY == r"HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols"
    assert SCHANNEL_CIPHER_POLICY_KEY == r"HKLM:\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002"


def test_no_dh_setting_without_dhe_suites():
    reg = _registry(schannel_policy(get_profile("intermediate", "6.0"), SERVER_2022))
    assert not any(key[0] == SCHANNEL_DH_KEY for key in reg)


def test_client_side_doubles_the_protocol_values():
    policy = schannel_policy(get_profile("intermediate", "6.0"), SERVER_2022, client=True)
    client = [e for e in policy["registry"] if e["path"].endswith("\\Client")]
    server = [e for e in policy["registry"] if e["path"].endswith("\\Server")]
    assert len(client) == len(server) == 12
    assert policy["client"] is True


@pytest.mark.parametrize(
    ("given", "build"),
    [(None, None), ("", None), (20348, 20348), ("17763", 17763), ("10.0.20348.0", 20348), ("10.0.14393", 14393)],
)
def test_windows_build_parsing(given, build):
    assert parse_windows_build(given) == build


@pytest.mark.parametrize(("given", "fragment"), [("Windows", "'Windows'"), (9600, "9600"), (True, "True")])
def test_bad_windows_builds_are_named(given, fragment):
    with pytest.raises(ProfileError, match=fragment):
        parse_windows_build(given)


def test_old_functions_keep_their_shape():
    p = get_profile("intermediate", "6.0")
    assert schannel_protocols(p)["enabled"] == ("TLS 1.2", "TLS 1.3")
    assert schannel_cipher_suites(p)[:3] == p.tls13_ciphersuites
    assert schannel_cipher_suites(p, SERVER_2019) == tuple(ECDHE_GCM)


def test_render_profile_carries_the_schannel_part_as_plain_data():
    data = render_profile(get_profile("intermediate"), windows_build="10.0.17763.0")
    assert json.loads(json.dumps(data)) == data
    assert data["schannel"]["windows_build"] == SERVER_2019
    assert data["schannel"]["protocols_enabled"] == ["TLS 1.2"]
    # nginx and Apache renderings do not depend on the Windows build
    assert data["nginx"] == render_profile(get_profile("intermediate"))["nginx"]


def test_schannel_lists():
    p = get_profile("intermediate", "6.0")
    assert schannel_protocols(p) == {
        "enabled": ("TLS 1.2", "TLS 1.3"),
        "disabled": ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1"),
        "unsupported": (),
    }
    suites = schannel_cipher_suites(p)
    assert suites[:3] == p.tls13_ciphersuites
    assert not any("CHACHA20" in s for s in suites[3:])
    assert schannel_curves(p) == ("curve25519", "NistP256", "NistP384")
