"""How a step meets a service outage: it tries again after 10, 30 and 70 seconds, each give or
take up to 10 (at least 80 s in all), long enough for supervisord to restart a local service. A
run that still fails is requested again later by `recovery/retry_sensor.py`. Failures that
waiting cannot mend raise `dg.Failure(..., allow_retries=False)` and are not retried at all."""

import dagster as dg

OUTAGE_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
