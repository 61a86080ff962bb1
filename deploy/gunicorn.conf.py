"""gunicorn for SynthGen in production: `gunicorn -c deploy/gunicorn.conf.py synthgen.wsgi`.

The one place the web tier's worker class, worker count and limits are chosen. It runs
behind nginx (deploy/nginx.conf), which buffers every request body and every response:
a worker is busy only while Django works, never while a slow client trickles its body in
or reads its answer out, so slow clients cannot hold it (tests/deploy/test_production_stack.py).

Threaded workers (gthread), one process per CPU, 8 threads each: a charged request spends most
of its time waiting on PostgreSQL and Redis round trips, which threads overlap. Measured with
benchmarks/charge.py on 2 CPUs, PostgreSQL and Redis: 2 x 8 threads answered about twice the
charged requests of 4 sync workers (403 against 203 a second), and 4 x 4 threads no more than
2 x 8. Each thread keeps its own database connection: workers x threads of them.

Without nginx in front, a few connections that announce a body and never send it would each
hold a worker thread until `timeout` kills it, and a request gunicorn cannot parse would get
gunicorn's own HTML error page, even under /api/ (the app never sees such a request, so it
cannot answer in its envelope).
"""

import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.getenv("GUNICORN_THREADS", "8"))
timeout = 30

# nginx refuses over-long request lines and headers first, and under /api/ answers them in
# the API's JSON envelope; gunicorn's own refusals would be HTML pages. So gunicorn takes
# whatever nginx passes on (0 is "no limit"; 32768 fields is gunicorn's maximum).
limit_request_line = 0
limit_request_field_size = 0
limit_request_fields = 32768

# nginx on this machine sets X-Forwarded-Proto (HTTPS) and X-Real-IP (the client's address).
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = "-"
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
logger_class = "synthgen.redaction.GunicornLogger"  # no link token in any line
