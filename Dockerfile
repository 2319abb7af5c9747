# syntax=docker/dockerfile:1
# One image for the four services; each runs with its own command (compose.yaml, deploy/k8s):
#   python -m services.intake serve | services.triage | services.reply | services.metrics
# and `migrate <service>...` brings the services' database schemas up to date before they start.
# Python is pinned to the version CI tests with; the dependencies are requirements/runtime.lock.

ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/inquiry-triage
# The lock alone first: the dependency layer is rebuilt only when the lock changes.
COPY requirements/runtime.lock requirements/runtime.lock
RUN /opt/inquiry-triage/bin/pip install --no-cache-dir --require-hashes --no-deps \
        -r requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
RUN /opt/inquiry-triage/bin/pip install --no-cache-dir --no-deps . \
    && /opt/inquiry-triage/bin/pip check

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="inquiry-triage" \
      org.opencontainers.image.description="Omnichannel inquiry triage: intake, triage, reply, metrics" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 triage \
    && useradd --system --uid 10001 --gid triage --home-dir /var/lib/inquiry-triage \
        --shell /usr/sbin/nologin triage \
    && install -d -o triage -g triage -m 0750 /var/lib/inquiry-triage
COPY --from=build /opt/inquiry-triage /opt/inquiry-triage
COPY deploy/container/migrate /usr/local/bin/migrate
# Listen on every interface of the container; state (SQLite when no DATABASE_URL is given, the
# metrics service's reports) goes to the one writable directory.
ENV PATH=/opt/inquiry-triage/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STATE_DIR=/var/lib/inquiry-triage \
    LOG_FORMAT=json \
    INTAKE_HTTP_HOST=0.0.0.0 \
    TRIAGE_HTTP_HOST=0.0.0.0 \
    REPLY_HTTP_HOST=0.0.0.0 \
    METRICS_HTTP_HOST=0.0.0.0
WORKDIR /var/lib/inquiry-triage
USER 10001:10001
EXPOSE 9101 9102 9103 9104
CMD ["python", "-m", "services.intake", "serve"]
