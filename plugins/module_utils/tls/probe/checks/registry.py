# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every check the probe runs on every endpoint, in the order their answers are applied.

The order is the order of the notes a user sees. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import ProbeCheck
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.cipher_suites import CipherSuites
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.groups import KeyExchangeGroups
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.hello_features import HelloFeatures
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.http_headers import HttpHeaders
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.redirect import PlainHttpRedirect
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.resumption import SessionResumption
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.served_certificate import (
    ServedCertificate,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.tls13_suites import Tls13CipherSuites
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.vulnerabilities import Vulnerabilities

__all__ = ["PROBE_CHECKS"]

# The checks with the longest chains first, so their first connections leave first.
PROBE_CHECKS: Tuple[ProbeCheck, ...] = (
    CipherSuites(),
    KeyExchangeGroups(),
    Vulnerabilities(),
    Tls13CipherSuites(),
    SessionResumption(),
    PlainHttpRedirect(),
    HelloFeatures(),
    ServedCertificate(),
    HttpHeaders(),
)
