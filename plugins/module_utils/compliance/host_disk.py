# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-06: every certificate the web server configuration names on disk stays valid long enough.

TLS-10 judges the certificate an endpoint serves; this control reads every certificate file the
configuration names (each site, each chain file, a renewed file not yet loaded) with the
standard-library DER reader (:mod:`..tls.der`) and judges the first of their certificates to expire.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import datetime
from typing import Any, List, Mapping, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls import der

__all__ = ["DEFAULT_MIN_DAYS_VALID", "check_certificates_on_disk"]

DEFAULT_MIN_DAYS_VALID = 30
_SHOWN = 3  # problems named in a message; the rest are counted


def _earliest(pem: str) -> Tuple[datetime.datetime, datetime.datetime]:
    """(latest notBefore, earliest notAfter) over every certificate of a file."""
    ders = der.certificate_ders(pem)
    if not ders:
        raise der.DerError("no PEM certificate in the file")
    dates = [der.certificate_validity(d) for d in ders]
    return max(d[0] for d in dates), min(d[1] for d in dates)


def _day(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _joined(problems: List[str]) -> str:
    shown = "; ".join(problems[:_SHOWN])
    more = len(problems) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def check_certificates_on_disk(
    fact: Optional[Mapping[str, Any]], target: str, now: Optional[datetime.datetime] = None
) -> Finding:
    """``fact``: ``{"min_days_valid": int, "files": [{"path", "pem", "missing"}]}`` (see ``schema``)."""
    if fact is None:
        return new_finding("HOST-06", "skip", "certificate files on disk not read", target)
    files = list(fact.get("files") or [])
    if not files:
        return new_finding("HOST-06", "skip", "no certificate file found in the web server configuration", target)
    minimum = int(fact.get("min_days_valid", DEFAULT_MIN_DAYS_VALID))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    expired: List[str] = []
    soon: List[str] = []
    unreadable: List[str] = []
    first: Optional[Tuple[datetime.datetime, str]] = None
    for item in files:
        path = str(item.get("path") or "certificate file")
        if item.get("missing") or not item.get("pem"):
            unreadable.append(f"{path} could not be read")
            continue
        try:
            not_before, not_after = _earliest(str(item["pem"]))
        except der.DerError as exc:
            unreadable.append(f"{path}: not a readable certificate ({exc})")
            continue
        if first is None or not_after < first[0]:
            first = (not_after, path)
        days = (not_after - now).days
        if not_after <= now:
            expired.append(f"{path} expired on {_day(not_after)}")
        elif not_before > now:
            expired.append(f"{path} is not valid before {_day(not_before)}")
        elif days < minimum:
            soon.append(f"{path} expires on {_day(not_after)} ({days} days left)")
    days_left = (first[0] - now).days if first else None
    expected = f">= {minimum} days"
    if expired or soon:
        return new_finding(
            "HOST-06",
            "fail",
            _joined(expired + soon + unreadable) + f" (minimum {minimum} days)",
            target,
            observed=days_left,
            expected=expected,
            severity=None if expired else "medium",
        )
    if unreadable or first is None:
        return new_finding("HOST-06", "error", _joined(unreadable), target, observed=days_left, expected=expected)
    count = len(files)
    return new_finding(
        "HOST-06",
        "pass",
        f"{count} certificate file{'s' if count > 1 else ''} on disk valid for at least {minimum} days; the first to "
        f"expire: {first[1]} on {_day(first[0])} ({days_left} days left)",
        target,
        observed=days_left,
        expected=expected,
    )
