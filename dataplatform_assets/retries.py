"""How a step meets a service outage: it tries again after about 10, 20 and 40 seconds, long
enough for supervisord to restart a local service. A run that still fails is requested again
later by `recovery/retry_sensor.py`. Failures that waiting cannot mend raise `dg.Failure(...,
allow_retries=False)` and are not retried at all."""

import dagster as dg

OUTAGE_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
