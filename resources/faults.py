"""Which errors heal by waiting: a service that is down or restarting answers with these, and the
same work succeeds once it is back. Everything else (schema drift, counts that do not match, bad
configuration, a bug) fails the same way again, so it is never retried automatically."""

from __future__ import annotations

import re

# Lower-case fragments of the error text (class names and messages, causes included).
TRANSIENT_MARKERS = (
    "connection refused", "connection reset", "connection aborted", "broken pipe", "errno 111", "errno 104",
    "errno 32", "timed out", "stopped answering", "ttransportexception", "tsocket read 0 bytes",
    "could not connect", "can't connect", "lost connection", "server has gone away", "no route to host",
    "max retries exceeded", "service unavailable", "metastore unreachable", "safemodeexception",
    "name node is in safe mode", "retriableexception", "unreachable:", "is not reachable",
)
_MARKERS = re.compile("|".join(re.escape(m) for m in TRANSIENT_MARKERS))


def is_transient(error_text: str) -> bool:
    """True when the error is one a service outage gives, so the same work may succeed later."""
    return bool(_MARKERS.search(error_text.lower()))
