"""How a step meets a service outage: it tries again after 5, 10, 15, ... 35 seconds, each give or
take up to 5 (at least 105 s in all), long enough for supervisord to restart a local service. The
steps are linear rather than exponential: a restarted service is back after 10-60 s here, and a
retry then comes within 10-25 s of it instead of up to a minute later. A run that still fails is
requested again later by `recovery/retry_sensor.py`. Failures that waiting cannot mend raise
`dg.Failure(..., allow_retries=False)` and are not retried at all."""

import dagster as dg

OUTAGE_RETRY = dg.RetryPolicy(max_retries=7, delay=5, backoff=dg.Backoff.LINEAR, jitter=dg.Jitter.PLUS_MINUS)
