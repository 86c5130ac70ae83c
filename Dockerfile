# Trajectory: the application image (gunicorn on port 8000, as a non-root user).
#   docker build -t trajectory .
#   docker compose run --rm web flask --app trajectory db upgrade   # migrations: a separate step
#   docker compose up -d
# README.md, "Running in production", has the environment and the upgrade steps.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the PDFs) needs Pango and HarfBuzz; the SROI statement and the cohort pack
# are set in "DejaVu Sans" (fonts-dejavu-core), "Mijn plan" in the vendored Noto Sans.
# pg_dump for `flask --app trajectory backup` (its version at least the server's, 15).
# Not pinned to versions (hadolint DL3008): bookworm's security updates replace them.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 trajectory \
 && useradd --system --uid 10001 --gid trajectory --home-dir /app --shell /usr/sbin/nologin trajectory

WORKDIR /app

# Exactly the pinned versions, every file checked against its hash (make lock).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md wsgi.py gunicorn.conf.py ./
COPY trajectory ./trajectory
COPY templates ./templates
COPY migrations ./migrations
# The app finds templates/ and migrations/ beside the package: an editable install, as
# make install does. Then the hashed, compressed static files (build/static).
RUN pip install --no-deps -e . \
 && flask --app trajectory assets build \
 && mkdir -p /app/instance /data/evidence /backups \
 && chown trajectory:trajectory /app/instance /data/evidence /backups

ENV GUNICORN_BIND=0.0.0.0:8000 \
    WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    TRAJECTORY_EVIDENCE_DIR=/data/evidence

# Numeric, so that Kubernetes' runAsNonRoot can verify it is not root.
USER 10001:10001
EXPOSE 8000
VOLUME ["/data/evidence", "/backups"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# gunicorn is the default command; `docker compose run --rm web flask --app trajectory ...`
# runs a maintenance command (migrations, the demo, a backup) in its place.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
