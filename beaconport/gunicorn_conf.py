"""gunicorn's configuration, from the environment:

    gunicorn -c python:beaconport.gunicorn_conf beaconport.wsgi

WEB_BIND (127.0.0.1:8000; a load balancer in front, see docs/deploy.md), WEB_WORKERS (two per
core plus one), WEB_THREADS (1: sync workers; more gives gthread workers, which measured no
faster here: on 2 cores with PostgreSQL beside them, 4 threads a worker cost 12-16 ms of worker
CPU per `/cases/` page against 10-12 ms for sync workers, and served fewer pages a second),
WEB_TIMEOUT (30 s before a stuck worker is killed and replaced), WEB_GRACEFUL_TIMEOUT (30 s to
finish requests on a restart), WEB_KEEPALIVE (5 s: shorter than the load balancer's idle
timeout would make it reuse closed connections, so set it longer than the balancer's),
WEB_MAX_REQUESTS (20,000, with up to a tenth more at random, so workers are replaced one at a
time and a slow leak never grows; at 150 pages a second a worker lives about four minutes,
where 1,000 would restart one every 13 s at about a second of CPU each),
WEB_FORWARDED_ALLOW_IPS (addresses whose X-Forwarded-* headers are believed).

The access log names the method, the path without its query string (search terms and
names may be typed into one), status, size and time: never the query, the referrer (the
previous page's query) or the cookies.
"""

import multiprocessing

from beaconport.env import env_int, env_str

bind = env_str("WEB_BIND", "127.0.0.1:8000")
workers = env_int("WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = env_int("WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env_int("WEB_TIMEOUT", 30)
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("WEB_KEEPALIVE", 5)
max_requests = env_int("WEB_MAX_REQUESTS", 20_000)
max_requests_jitter = env_int("WEB_MAX_REQUESTS_JITTER", max_requests // 10)
forwarded_allow_ips = env_str("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = env_str("WEB_ACCESS_LOG", "-")
errorlog = env_str("WEB_ERROR_LOG", "-")
loglevel = env_str("WEB_LOG_LEVEL", "info")
# %(U)s is the path alone; %(r)s (the request line) and %(q)s would log the query string.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms pid=%(p)s'

if workers < 1 or threads < 1 or timeout < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("WEB_WORKERS, WEB_THREADS and WEB_TIMEOUT must be at least 1.")
