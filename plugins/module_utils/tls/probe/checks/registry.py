# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every check the probe runs on every endpoint, in the order their answers are applied.

The order is the order of the notes a user sees. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import ProbeCheck
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.cipher_suites import Tls12CipherSuites
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.http_headers import HttpHeaders
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.redirect import PlainHttpRedirect
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.served_certificate import (
    ServedCertificate,
)

__all__ = ["PROBE_CHECKS"]

PROBE_CHECKS: Tuple[ProbeCheck, ...] = (
    PlainHttpRedirect(),
    Tls12CipherSuites(),
    ServedCertificate(),
    HttpHeaders(),
)
