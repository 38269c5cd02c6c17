# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control catalog: the one place where control IDs, titles, severities and advice live.

The data is a Python literal on purpose: module_utils is shipped to targets with every
module that imports it (``tls_probe`` fills findings on the target) and is importable by
action plugins and the report renderers on the controller, with no file lookup and no YAML
parser on the target. ``docs/controls.md`` is rendered from it by ``tools/render_catalog.py``
and a unit test fails when the two drift apart.

IDs are stable: once released, an ID keeps its meaning; a retired control keeps its ID
unused. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

__all__ = [
    "CATALOG",
    "CATALOG_VERSION",
    "SEVERITIES",
    "STATUSES",
    "Control",
    "controls_for",
    "get_control",
    "severity_rank",
]

CATALOG_VERSION = 1

# Highest first.
SEVERITIES = ("critical", "high", "medium", "low", "info")
STATUSES = ("pass", "fail", "error", "skip")
WHERE = ("endpoint", "host", "host+endpoint")


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info; raises ValueError naming an unknown severity."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}") from None


@dataclass(frozen=True)
class Control:
    """One control.

    Attributes:
        id: stable identifier (``TLS-01``).
        title: what must hold, as a short sentence.
        severity: default severity of a failure (a finding may lower it, e.g. TLS-10's
            "expires soon" is reported below the "expired" severity).
        where: ``endpoint`` (seen over the network), ``host`` (seen on the host) or both.
        rationale: why it matters.
        remediation: what to change.
        profile_value: the :class:`..tls.profiles.Profile` attribute(s) the check compares
            with, or None when the check needs no profile value.
    """

    id: str
    title: str
    severity: str
    where: str
    rationale: str
    remediation: str
    profile_value: Optional[str] = None

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]


_CONTROLS: Tuple[Control, ...] = (
    Control(
        id="TLS-01",
        title="SSLv2 is refused",
        severity="critical",
        where="endpoint",
        rationale="SSLv2 is broken beyond repair (DROWN) and no client needs it.",
        remediation="Remove SSLv2 from the protocol list (nginx ssl_protocols, Apache SSLProtocol -all +TLSv1.2 "
        "+TLSv1.3, SCHANNEL 'SSL 2.0' Server Enabled=0).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-02",
        title="SSLv3 is refused",
        severity="critical",
        where="endpoint",
        rationale="SSLv3 is broken (POODLE) and prohibited by RFC 7568.",
        remediation="Remove SSLv3 from the protocol list (nginx ssl_protocols, Apache SSLProtocol, SCHANNEL "
        "'SSL 3.0' Server Enabled=0).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-03",
        title="TLS 1.0 is refused unless the profile allows it",
        severity="high",
        where="endpoint",
        rationale="TLS 1.0 is deprecated by RFC 8996; only the 'old' profile keeps it for legacy clients.",
        remediation="Offer only the profile's protocols (intermediate: TLSv1.2 TLSv1.3).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-04",
        title="TLS 1.1 is refused unless the profile allows it",
        severity="high",
        where="endpoint",
        rationale="TLS 1.1 is deprecated by RFC 8996; only the 'old' profile keeps it for legacy clients.",
        remediation="Offer only the profile's protocols (intermediate: TLSv1.2 TLSv1.3).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-05",
        title="TLS 1.2 is offered exactly when the profile includes it",
        severity="high",
        where="endpoint",
        rationale="The intermediate profile needs TLS 1.2 for the clients it promises to serve; "
        "the modern profile is TLS 1.3 only.",
        remediation="Set the protocol list from the profile (intermediate: TLSv1.2 TLSv1.3; modern: TLSv1.3).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-06",
        title="TLS 1.3 is offered",
        severity="medium",
        where="endpoint",
        rationale="TLS 1.3 removes legacy key exchanges and ciphers and saves a round trip; every profile includes it.",
        remediation="Add TLSv1.3 to the protocol list; it needs OpenSSL 1.1.1 or newer (Windows Server 2022 or newer).",
        profile_value="protocols",
    ),
    Control(
        id="TLS-07",
        title="Negotiable cipher suites are within the profile and all have forward secrecy",
        severity="high",
        where="endpoint",
        rationale="Suites outside the profile bring CBC, static RSA key exchange or weak ciphers; without "
        "forward secrecy a stolen key decrypts recorded traffic.",
        remediation="Set the cipher list from the profile (nginx ssl_ciphers, Apache SSLCipherSuite, SCHANNEL "
        "cipher suite order).",
        profile_value="tls12_ciphers, tls13_ciphersuites",
    ),
    Control(
        id="TLS-08",
        title="The certificate chain is trusted",
        severity="critical",
        where="endpoint",
        rationale="Clients refuse or warn about an untrusted chain; users learn to click through warnings.",
        remediation="Serve a certificate issued by a CA the clients trust (public CA, or the organisation's CA "
        "distributed to clients) with the complete chain.",
    ),
    Control(
        id="TLS-09",
        title="The certificate matches the host name",
        severity="critical",
        where="endpoint",
        rationale="A name mismatch breaks every verifying client and hides man-in-the-middle attacks.",
        remediation="Issue the certificate with the served names in its subjectAltName extension.",
    ),
    Control(
        id="TLS-10",
        title="The certificate is valid now and for more than the minimum number of days",
        severity="high",
        where="endpoint",
        rationale="An expired certificate is an outage; one close to expiry needs renewal before it becomes one.",
        remediation="Renew the certificate (automate with ACME where possible) and reload the web server.",
    ),
    Control(
        id="TLS-11",
        title="The certificate key and signature meet the profile",
        severity="high",
        where="endpoint",
        rationale="Short RSA keys, uncommon curves and SHA-1 signatures are breakable or refused by clients.",
        remediation="Issue a key of an allowed type (intermediate: ECDSA P-256/P-384 or RSA >= 2048; modern: "
        "ECDSA) with a SHA-256 or stronger signature.",
        profile_value="certificate_types, rsa_key_size, certificate_curves, certificate_signatures",
    ),
    Control(
        id="TLS-12",
        title="The server sends the intermediate certificates",
        severity="medium",
        where="endpoint",
        rationale="Clients that do not fetch missing intermediates (most non-browser clients) fail to verify "
        "an incomplete chain.",
        remediation="Serve the leaf followed by its intermediates (nginx ssl_certificate with the full chain, "
        "Apache SSLCertificateFile with the chain).",
    ),
    Control(
        id="TLS-13",
        title="The negotiated key exchange group is within the profile",
        severity="medium",
        where="endpoint",
        rationale="Groups outside the profile (X448, secp521r1, finite-field groups) fail scanners' profile "
        "checks and some clients.",
        remediation="Set the groups from the profile (nginx ssl_ecdh_curve, Apache SSLOpenSSLConfCmd Curves, "
        "SCHANNEL ECC curve order).",
        profile_value="curves",
    ),
    Control(
        id="TLS-14",
        title="The certificate lifespan is within the profile maximum",
        severity="low",
        where="endpoint",
        rationale="Clients reject certificates valid longer than the CA/Browser Forum maximum; short lifespans "
        "limit the damage of a leaked key.",
        remediation="Issue certificates valid no longer than the profile maximum (intermediate: 366 days, "
        "modern: 90 days).",
        profile_value="max_certificate_lifespan",
    ),
    Control(
        id="HTTP-01",
        title="HSTS is sent with a max-age of at least six months",
        severity="medium",
        where="endpoint",
        rationale="Without HSTS a network attacker can strip HTTPS on the first plain-HTTP request.",
        remediation="Send 'Strict-Transport-Security: max-age=63072000; includeSubDomains' on every HTTPS "
        "response (nginx add_header ... always; Apache Header always set).",
        profile_value="hsts_max_age",
    ),
    Control(
        id="HTTP-02",
        title="Port 80 redirects permanently (301/308) to HTTPS on the same host",
        severity="medium",
        where="endpoint",
        rationale="Plain-HTTP links and typed addresses must end up on HTTPS without changing host.",
        remediation="Answer every port-80 request with 'return 308 https://$host$request_uri' (nginx) or "
        "RewriteRule ... [R=308,L] (Apache), keeping /.well-known/acme-challenge/ reachable.",
    ),
    Control(
        id="HTTP-03",
        title="The Server header reveals no version",
        severity="low",
        where="endpoint",
        rationale="A version number tells attackers which known vulnerabilities to try.",
        remediation="nginx: server_tokens off; Apache: ServerTokens Prod and ServerSignature Off; IIS: "
        "removeServerHeader.",
    ),
    Control(
        id="HOST-01",
        title="443/tcp is listening, owned by the expected process",
        severity="critical",
        where="host",
        rationale="Nothing else works if the web server does not listen, or if another process holds the port.",
        remediation="Start the web server and check its listen directives; stop the process that holds the port. "
        "IIS: HTTP.sys serves the port, so its owner is the System process (pid 4).",
    ),
    Control(
        id="HOST-02",
        title="The host firewall admits 443/tcp inbound",
        severity="critical",
        where="host",
        rationale="A listening server behind a dropping firewall is unreachable.",
        remediation="Open 443/tcp with webedge.https.firewall_port on the active backend.",
    ),
    Control(
        id="HOST-03",
        title="The private key file is not accessible to other users",
        severity="high",
        where="host",
        rationale="Anyone who can read the key can impersonate the server and, without forward secrecy, "
        "decrypt recorded traffic.",
        remediation="chmod 0600 (or 0640 with a dedicated group) and chown root on the key file. IIS: in "
        "certlm.msc, Manage Private Keys of the bound certificate, leave read access to SYSTEM, Administrators "
        "and the application pool identities only.",
    ),
    Control(
        id="HOST-04",
        title="The web server configuration test passes",
        severity="high",
        where="host",
        rationale="A configuration that fails its test will not survive the next reload or reboot.",
        remediation="Run the server's test (nginx -t, apachectl configtest) and fix the reported error. IIS has "
        "no test command: fix the applicationHost.config or web.config error that appcmd list config reports.",
    ),
    Control(
        id="HOST-05",
        title="The certificate on disk is the one the endpoint serves",
        severity="medium",
        where="host+endpoint",
        rationale="A renewed certificate that was not loaded expires in production although the file is fresh.",
        remediation="Reload the web server after deploying a certificate, and check it serves the file's certificate. "
        "IIS: bind the renewed certificate (its thumbprint) to the site's https bindings.",
    ),
    Control(
        id="HOST-06",
        title="Every certificate file the web server configuration names is valid for more than the minimum "
        "number of days",
        severity="high",
        where="host",
        rationale="The probe sees one certificate per name it asks for; the other sites, the chain files and a "
        "renewed file not loaded yet expire unseen. Reading every file the configuration names shows each "
        "certificate's days remaining before any of them is served expired.",
        remediation="Renew the certificate and reload the web server (the webedge.https.tls role's acme and ca "
        "sources renew what is due on every run of webedge.https.site); remove certificates no site uses from "
        "the configuration. Not read on Windows hosts.",
    ),
)

CATALOG: Dict[str, Control] = {control.id: control for control in _CONTROLS}


def get_control(control_id: str) -> Control:
    """The control with this ID; raises KeyError naming an unknown ID."""
    try:
        return CATALOG[control_id]
    except KeyError:
        raise KeyError(f"unknown control id {control_id!r}") from None


def controls_for(where: str) -> Tuple[Control, ...]:
    """Controls checked at ``endpoint`` or ``host`` (``host+endpoint`` counts as host)."""
    if where == "host":
        return tuple(c for c in _CONTROLS if c.where in ("host", "host+endpoint"))
    return tuple(c for c in _CONTROLS if c.where == where)
