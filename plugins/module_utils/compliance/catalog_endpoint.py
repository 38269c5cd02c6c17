# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The endpoint controls of the catalog: protocols, suites, key exchange, certificates (TLS-xx) and
HTTP (HTTP-xx). :mod:`.catalog` assembles every control; the vulnerability controls are in
:mod:`.catalog_vulns`. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.control import Control

__all__ = ["ENDPOINT_CONTROLS"]

_PROTOCOL_FIX = (
    ("nginx", "ssl_protocols TLSv1.2 TLSv1.3; (the profile's list) in the http block and every server block."),
    (
        "apache",
        "SSLProtocol -all +TLSv1.2 +TLSv1.3 in the global server configuration (a distribution's ssl.conf "
        "must not override it).",
    ),
)


def _schannel_protocol(name: str, enabled: bool) -> Tuple[str, str]:
    value = "Enabled=1, DisabledByDefault=0" if enabled else "Enabled=0, DisabledByDefault=1"
    return (
        "iis",
        f"HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\{name}\\Server: "
        f"{value} (DWORD), then reboot.",
    )


_CIPHERS_FIX = (
    (
        "nginx",
        "ssl_ciphers with the profile's list (intermediate: ECDHE-ECDSA-AES128-GCM-SHA256:...) and "
        "ssl_prefer_server_ciphers as the profile says.",
    ),
    ("apache", "SSLCipherSuite with the profile's list and SSLHonorCipherOrder as the profile says, globally."),
    (
        "iis",
        "Set the cipher suite order (Group Policy 'SSL Cipher Suite Order', or Disable-TlsCipherSuite for every "
        "suite outside the profile), then reboot.",
    ),
)
_GROUPS_FIX = (
    ("nginx", "ssl_ecdh_curve X25519:prime256v1:secp384r1; (6.0 with OpenSSL 3.5+: X25519MLKEM768 first)."),
    ("apache", "SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1 (Groups on OpenSSL 3)."),
    (
        "iis",
        "Group Policy 'ECC Curve Order' (or Disable-TlsEccCurve) with curve25519, NistP256, NistP384 only; "
        "remove finite-field groups from the TLS 1.3 key exchange list.",
    ),
)
_CERT_FIX = (
    ("nginx", "ssl_certificate with the new certificate followed by its intermediates, ssl_certificate_key; reload."),
    ("apache", "SSLCertificateFile (certificate and intermediates) and SSLCertificateKeyFile; apachectl graceful."),
    ("iis", "Import the new certificate into LocalMachine\\My and bind its thumbprint to the site's https bindings."),
)
_STAPLING_FIX = (
    (
        "nginx",
        "ssl_stapling on; ssl_stapling_verify on; ssl_trusted_certificate with the chain; a resolver that can "
        "reach the OCSP responder.",
    ),
    ("apache", "SSLUseStapling On and SSLStaplingCache shmcb:/run/apache2/stapling(128000) globally."),
    ("iis", "Stapling is on by default: let the server reach the OCSP responder (outbound HTTP) and rebind."),
)

ENDPOINT_CONTROLS: Tuple[Control, ...] = (
    Control(
        id="TLS-01",
        title="SSLv2 is refused",
        severity="critical",
        where="endpoint",
        rationale="SSLv2 is broken beyond repair (DROWN) and no client needs it.",
        remediation="Remove SSLv2 from the protocol list.",
        profile_value="protocols",
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("SSL 2.0", False)),
    ),
    Control(
        id="TLS-02",
        title="SSLv3 is refused",
        severity="critical",
        where="endpoint",
        rationale="SSLv3 is broken (POODLE) and prohibited by RFC 7568.",
        remediation="Remove SSLv3 from the protocol list.",
        profile_value="protocols",
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("SSL 3.0", False)),
    ),
    Control(
        id="TLS-03",
        title="TLS 1.0 is refused unless the profile allows it",
        severity="high",
        where="endpoint",
        rationale="TLS 1.0 is deprecated by RFC 8996; only the 'old' profile keeps it for legacy clients.",
        remediation="Offer only the profile's protocols (intermediate: TLSv1.2 TLSv1.3).",
        profile_value="protocols",
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("TLS 1.0", False)),
    ),
    Control(
        id="TLS-04",
        title="TLS 1.1 is refused unless the profile allows it",
        severity="high",
        where="endpoint",
        rationale="TLS 1.1 is deprecated by RFC 8996; only the 'old' profile keeps it for legacy clients.",
        remediation="Offer only the profile's protocols (intermediate: TLSv1.2 TLSv1.3).",
        profile_value="protocols",
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("TLS 1.1", False)),
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
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("TLS 1.2", True)),
    ),
    Control(
        id="TLS-06",
        title="TLS 1.3 is offered",
        severity="medium",
        where="endpoint",
        rationale="TLS 1.3 removes legacy key exchanges and ciphers and saves a round trip; every profile includes it.",
        remediation="Add TLSv1.3 to the protocol list; it needs OpenSSL 1.1.1 or newer (Windows Server 2022 or newer).",
        profile_value="protocols",
        fixes=(*_PROTOCOL_FIX, _schannel_protocol("TLS 1.3", True)),
    ),
    Control(
        id="TLS-07",
        title="Every cipher suite accepted up to TLS 1.2 is within the profile and has forward secrecy",
        severity="high",
        where="endpoint",
        rationale="Suites outside the profile bring CBC, static RSA key exchange or weak ciphers; without "
        "forward secrecy a stolen key decrypts recorded traffic. Judged on every suite the server accepts "
        "with every version up to TLS 1.2, not only the one a default client negotiates.",
        remediation="Set the TLS 1.2 cipher list from the profile.",
        profile_value="tls12_ciphers",
        fixes=_CIPHERS_FIX,
    ),
    Control(
        id="TLS-08",
        title="The certificate chain is trusted",
        severity="critical",
        where="endpoint",
        rationale="Clients refuse or warn about an untrusted chain; users learn to click through warnings.",
        remediation="Serve a certificate issued by a CA the clients trust (public CA, or the organisation's CA "
        "distributed to clients) with the complete chain.",
        fixes=_CERT_FIX,
    ),
    Control(
        id="TLS-09",
        title="The certificate matches the host name",
        severity="critical",
        where="endpoint",
        rationale="A name mismatch breaks every verifying client and hides man-in-the-middle attacks.",
        remediation="Issue the certificate with the served names in its subjectAltName extension.",
        fixes=(
            ("nginx", "server_name must list the names; serve a certificate whose subjectAltName covers them."),
            ("apache", "ServerName/ServerAlias must list the names; serve a certificate covering them."),
            ("iis", "Bind a certificate covering the binding's host name (with SNI for several names)."),
        ),
    ),
    Control(
        id="TLS-10",
        title="The certificate is valid now and for more than the minimum number of days",
        severity="high",
        where="endpoint",
        rationale="An expired certificate is an outage; one close to expiry needs renewal before it becomes one.",
        remediation="Renew the certificate (automate with ACME where possible) and reload the web server.",
        fixes=_CERT_FIX,
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
        fixes=_CERT_FIX,
    ),
    Control(
        id="TLS-12",
        title="The server sends the intermediate certificates",
        severity="medium",
        where="endpoint",
        rationale="Clients that do not fetch missing intermediates (most non-browser clients) fail to verify "
        "an incomplete chain.",
        remediation="Serve the leaf followed by its intermediates.",
        fixes=(
            ("nginx", "ssl_certificate with the full chain (leaf first, then the intermediates)."),
            ("apache", "SSLCertificateFile with the leaf followed by the intermediates (2.4.8+)."),
            ("iis", "Import the intermediates into the computer's Intermediate Certification Authorities store."),
        ),
    ),
    Control(
        id="TLS-13",
        title="Every key exchange group the server accepts is within the profile",
        severity="medium",
        where="endpoint",
        rationale="Groups outside the profile (X448, secp521r1, small curves, finite-field groups) fail "
        "scanners' profile checks and some clients. Judged on every group accepted with TLS 1.3 and TLS 1.2, "
        "not only the one a default client negotiates.",
        remediation="Set the groups from the profile.",
        profile_value="curves",
        fixes=_GROUPS_FIX,
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
        fixes=_CERT_FIX,
    ),
    Control(
        id="TLS-15",
        title="Every TLS 1.3 cipher suite accepted is within the profile",
        severity="high",
        where="endpoint",
        rationale="The profiles allow the AES-GCM and ChaCha20-Poly1305 suites; the CCM suites (CCM_8 with its "
        "short tag) are outside them and fail scanners' profile checks.",
        remediation="Set the TLS 1.3 suites from the profile (TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
        "TLS_CHACHA20_POLY1305_SHA256).",
        profile_value="tls13_ciphersuites",
        fixes=(
            (
                "nginx",
                "ssl_conf_command Ciphersuites "
                "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;",
            ),
            (
                "apache",
                "SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
            ),
            ("iis", "Disable-TlsCipherSuite for every TLS 1.3 suite outside the profile, then reboot."),
        ),
    ),
    Control(
        id="TLS-16",
        title="DHE key exchange uses parameters of at least the profile's size",
        severity="high",
        where="endpoint",
        rationale="Finite-field Diffie-Hellman below 2048 bits is within reach of precomputation (Logjam); the "
        "smallest group of any accepted DHE suite is what an attacker picks.",
        remediation="Use 2048-bit (ffdhe2048) or larger DH parameters, or remove the DHE suites.",
        profile_value="dh_param_size",
        fixes=(
            (
                "nginx",
                "ssl_dhparam with a 2048-bit file (the RFC 7919 ffdhe2048 group), or no DHE suite in ssl_ciphers.",
            ),
            ("apache", "SSLOpenSSLConfCmd DHParameters with a 2048-bit file (or append it to SSLCertificateFile)."),
            (
                "iis",
                "HKLM\\...\\SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman: ServerMinKeyBitLength=0x800 "
                "(DWORD), then reboot.",
            ),
        ),
    ),
    Control(
        id="TLS-17",
        title="ECDHE key exchange uses groups of at least the profile's size",
        severity="medium",
        where="endpoint",
        rationale="Curves below 256 bits give less than 128-bit security; the profile asks ECDH >= 256 bits "
        "for the groups the server picks.",
        remediation="Offer only the profile's groups (all 256 bits or more).",
        profile_value="ecdh_param_size",
        fixes=_GROUPS_FIX,
    ),
    Control(
        id="TLS-18",
        title="Every certificate of the served chain has a strong key and signature",
        severity="high",
        where="endpoint",
        rationale="A chain is as strong as its weakest link: an intermediate with a short RSA key or a SHA-1 "
        "signature lets an attacker forge the whole chain, and clients distrust SHA-1 chains.",
        remediation="Serve the CA's current intermediates (RSA >= 2048 or ECDSA P-256/P-384/P-521, SHA-256+ "
        "signatures); drop legacy cross-signed intermediates.",
        fixes=(
            ("nginx", "Replace the intermediates in the ssl_certificate file with the CA's current chain; reload."),
            ("apache", "Replace the intermediates in SSLCertificateFile with the CA's current chain; graceful."),
            ("iis", "Remove the weak intermediate from the Intermediate store and import the CA's current one."),
        ),
    ),
    Control(
        id="TLS-19",
        title="The server imposes its cipher order when the profile asks for it",
        severity="low",
        where="endpoint",
        rationale="With legacy suites allowed (old profile) the server must choose, or a client's preference "
        "for a weak suite wins; with only strong suites the profile lets the client choose.",
        remediation="Enable server cipher preference exactly when the profile's server_preferred_order is on.",
        profile_value="server_preferred_order",
        fixes=(
            ("nginx", "ssl_prefer_server_ciphers on; (old) or off; (intermediate, modern)."),
            ("apache", "SSLHonorCipherOrder on (old) or off (intermediate, modern)."),
            ("iis", "SCHANNEL always imposes its cipher suite order: set the order (Group Policy)."),
        ),
    ),
    Control(
        id="TLS-20",
        title="The server staples an OCSP response when its certificate names a responder",
        severity="low",
        where="endpoint",
        rationale="Stapling spares clients a query to the CA (privacy, latency) and lets them check revocation "
        "at all; the profiles turn it on. A certificate without an OCSP responder has nothing to staple.",
        remediation="Turn OCSP stapling on and let the server reach the responder.",
        profile_value="ocsp_staple",
        fixes=_STAPLING_FIX,
    ),
    Control(
        id="TLS-21",
        title="A must-staple certificate is served with a stapled OCSP response",
        severity="high",
        where="endpoint",
        rationale="A certificate with the TLS Feature extension (must-staple) is refused by clients that honour "
        "it when no OCSP response is stapled: an outage for them.",
        remediation="Turn OCSP stapling on (and keep the responder reachable), or reissue without must-staple.",
        fixes=_STAPLING_FIX,
    ),
    Control(
        id="TLS-22",
        title="Sessions can be resumed (by session id or ticket)",
        severity="low",
        where="endpoint",
        rationale="Without resumption every connection pays a full handshake: more latency for clients and "
        "more CPU on the server.",
        remediation="Turn on a shared session cache (or session tickets with rotated keys).",
        fixes=(
            ("nginx", "ssl_session_cache shared:MozSSL:10m; ssl_session_timeout 1d;"),
            ("apache", "SSLSessionCache shmcb:/run/apache2/ssl_scache(512000) and SSLSessionCacheTimeout 300."),
            ("iis", "Keep SCHANNEL's session cache on (ServerCacheTime not 0; MaximumCacheSize not 0)."),
        ),
    ),
    Control(
        id="HTTP-01",
        title="HSTS is sent with a max-age of at least six months",
        severity="medium",
        where="endpoint",
        rationale="Without HSTS a network attacker can strip HTTPS on the first plain-HTTP request.",
        remediation="Send 'Strict-Transport-Security: max-age=63072000; includeSubDomains' on every HTTPS "
        "response (the profile's hsts_min_age; below it the finding is low).",
        profile_value="hsts_max_age",
        fixes=(
            ("nginx", 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;'),
            ("apache", 'Header always set Strict-Transport-Security "max-age=63072000; includeSubDomains"'),
            ("iis", '<hsts enabled="true" max-age="63072000" includeSubDomains="true"/> in the site\'s config.'),
        ),
    ),
    Control(
        id="HTTP-02",
        title="Port 80 redirects permanently (301/308) to HTTPS on the same host",
        severity="medium",
        where="endpoint",
        rationale="Plain-HTTP links and typed addresses must end up on HTTPS without changing host.",
        remediation="Answer every port-80 request with a permanent redirect to https on the same host, keeping "
        "/.well-known/acme-challenge/ reachable.",
        fixes=(
            ("nginx", "return 308 https://$host$request_uri; in the port-80 server block."),
            ("apache", "RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=308,L] in the port-80 virtual host."),
            ("iis", "A URL Rewrite rule (or HTTP Redirect) with redirectType Permanent to https://{HTTP_HOST}."),
        ),
    ),
    Control(
        id="HTTP-03",
        title="The Server header reveals no version",
        severity="low",
        where="endpoint",
        rationale="A version number tells attackers which known vulnerabilities to try.",
        remediation="Send no version in the Server header.",
        fixes=(
            ("nginx", "server_tokens off;"),
            ("apache", "ServerTokens Prod and ServerSignature Off."),
            ("iis", '<requestFiltering removeServerHeader="true"/> (IIS 10+).'),
        ),
    ),
)
