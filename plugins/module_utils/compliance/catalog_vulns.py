# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vulnerability controls of the catalog (VULN-xx): the attacks sslyze and testssl.sh scan for.

:mod:`.catalog` assembles every control. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.control import Control

__all__ = ["VULN_CONTROLS"]

_UPDATE_OPENSSL = (
    ("nginx", "Update OpenSSL (and nginx if it is linked statically), restart nginx."),
    ("apache", "Update OpenSSL and mod_ssl, restart Apache."),
)

VULN_CONTROLS: Tuple[Control, ...] = (
    Control(
        id="VULN-01",
        title="The server is not vulnerable to Heartbleed (CVE-2014-0160)",
        severity="critical",
        where="endpoint",
        rationale="A heartbeat request that claims more data than it carries makes a vulnerable OpenSSL "
        "(1.0.1 to 1.0.1f) send back up to 64 KiB of its memory: private keys, session keys, passwords.",
        remediation="Update the TLS library, then replace the private key and certificate (they may have "
        "leaked) and revoke the old certificate.",
        fixes=(
            *_UPDATE_OPENSSL,
            ("iis", "SCHANNEL is not affected: a TLS terminator in front of IIS (appliance, proxy) answered."),
        ),
    ),
    Control(
        id="VULN-02",
        title="The server is not vulnerable to OpenSSL CCS injection (CVE-2014-0224)",
        severity="high",
        where="endpoint",
        rationale="A vulnerable OpenSSL accepts a ChangeCipherSpec before the keys are agreed, so a "
        "man-in-the-middle can make both sides use weak keys and read the traffic.",
        remediation="Update OpenSSL (0.9.8za, 1.0.0m, 1.0.1h or later).",
        fixes=(
            *_UPDATE_OPENSSL,
            ("iis", "SCHANNEL is not affected: a TLS terminator in front of IIS (appliance, proxy) answered."),
        ),
    ),
    Control(
        id="VULN-03",
        title="The server is not a Bleichenbacher oracle (ROBOT)",
        severity="critical",
        where="endpoint",
        rationale="A server that answers malformed RSA key exchanges differently lets an attacker decrypt "
        "recorded RSA-key-exchange sessions and sign with the server's key (a weak oracle takes longer).",
        remediation="Remove the RSA key exchange suites (TLS_RSA_WITH_*) and update the TLS stack.",
        fixes=(
            ("nginx", "ssl_ciphers without RSA key exchange suites (the intermediate list has none)."),
            ("apache", "SSLCipherSuite without RSA key exchange suites (add !kRSA)."),
            ("iis", "Disable-TlsCipherSuite for every TLS_RSA_WITH_* suite, then reboot; install current updates."),
        ),
    ),
    Control(
        id="VULN-04",
        title="The server supports secure renegotiation (RFC 5746)",
        severity="high",
        where="endpoint",
        rationale="Without the renegotiation_info extension a man-in-the-middle can splice its own request in "
        "front of a client's (CVE-2009-3555). Clients of OpenSSL 3 refuse such servers.",
        remediation="Update the TLS library (every maintained one supports RFC 5746) and do not disable it.",
        fixes=(
            ("nginx", "Update OpenSSL; nginx cannot turn RFC 5746 off."),
            ("apache", "Update OpenSSL; keep SSLInsecureRenegotiation off."),
            (
                "iis",
                "Install current updates; under HKLM\\...\\SCHANNEL set AllowInsecureRenegoClients=0 and "
                "AllowInsecureRenegoServers=0 (DWORD).",
            ),
        ),
    ),
    Control(
        id="VULN-05",
        title="The server refuses client-initiated renegotiation",
        severity="medium",
        where="endpoint",
        rationale="Each renegotiation costs the server a full handshake, so one client can exhaust its CPU "
        "(a denial of service); no browser needs it.",
        remediation="Refuse renegotiations the client starts.",
        fixes=(
            ("nginx", "nginx refuses them; update nginx and OpenSSL if the server still accepts."),
            ("apache", "mod_ssl refuses them with OpenSSL 3; keep SSLInsecureRenegotiation off and update."),
            (
                "iis",
                "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL: "
                "DisableRenegoOnServer=1 (DWORD).",
            ),
        ),
    ),
    Control(
        id="VULN-06",
        title="TLS compression is off (CRIME)",
        severity="high",
        where="endpoint",
        rationale="Compressed TLS records leak secrets such as session cookies through their length (CRIME).",
        remediation="Turn TLS-level compression off (SSL_OP_NO_COMPRESSION); current TLS libraries have none.",
        fixes=(
            ("nginx", "Update nginx (1.3.2+ turns compression off) and OpenSSL."),
            ("apache", "SSLCompression off (the default since 2.4.4)."),
            ("iis", "SCHANNEL never compresses: a TLS terminator in front of IIS answered."),
        ),
    ),
    Control(
        id="VULN-07",
        title="The server honours TLS_FALLBACK_SCSV (RFC 7507)",
        severity="medium",
        where="endpoint",
        rationale="Without it a man-in-the-middle can force clients that retry with a lower version down to "
        "the weakest protocol both accept (POODLE and others).",
        remediation="Update the TLS library (OpenSSL 1.0.1j+), or offer one protocol version below TLS 1.3 only.",
        fixes=(
            *_UPDATE_OPENSSL,
            (
                "iis",
                "SCHANNEL has no TLS_FALLBACK_SCSV: disable every protocol below TLS 1.2 so none is left to "
                "fall back to.",
            ),
        ),
    ),
    Control(
        id="VULN-08",
        title="The server supports the extended master secret (RFC 7627) below TLS 1.3",
        severity="medium",
        where="endpoint",
        rationale="Without it a TLS 1.2 session's keys can be synchronised between two connections (triple "
        "handshake), breaking channel binding and client authentication.",
        remediation="Keep extended master secret on (the default of every maintained TLS library).",
        fixes=(
            (
                "nginx",
                "Update OpenSSL (1.1.0+); remove Options -ExtendedMasterSecret from openssl.cnf or ssl_conf_command.",
            ),
            ("apache", "Update OpenSSL; remove SSLOpenSSLConfCmd Options -ExtendedMasterSecret."),
            ("iis", "Windows Server 2016 and newer support it; install current updates."),
        ),
    ),
)
