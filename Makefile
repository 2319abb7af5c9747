# One way to set up, run and check the pipeline: the same commands for a person and for CI.
SHELL := /bin/bash
# The newest python3.11+ that runs from PATH (a pyenv shim of a version not selected does not
# run, so it is tried rather than looked up). The code supports 3.11 and later; the image pins one.
PYTHON_VERSION ?= $(shell for v in 3.14 3.13 3.12 3.11; do python$$v -c '' 2>/dev/null && { echo python$$v; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKACTL := deploy/kafka/kafkactl
export KAFKA_PORT ?= 9092
# The services and the demo find the broker that `make kafka-up` starts. Not exported: tests and
# the benchmark start a broker of their own unless KAFKA_BOOTSTRAP_SERVERS is given.
BROKER := $(or $(KAFKA_BOOTSTRAP_SERVERS),127.0.0.1:$(KAFKA_PORT))
# SECURE=1: SASL/SCRAM over TLS with ACLs (docs/security.md); kafkactl reads SECURE itself, the
# services and the demo each connect with their own principal's settings from this folder.
CLIENT_ENV := $(if $(SECURE),KAFKA_CLIENT_ENV_DIR=$(or $(STATE_DIR),$(CURDIR)/.state)/kafka/secure/clients)

.PHONY: help install lock prometheus chromium kafka-jars kafka-up kafka-down cluster-up cluster-down cluster-status migrate up down status run test test-unit lint bench chaos fuzz train clean

help:
	@echo "make run      set up everything, start the pipeline, feed the demo inquiries, print a summary"
	@echo "make test     unit, handler and integration tests (real Kafka broker)"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make up/down  start/stop the broker and the four services in the background"
	@echo "              (SECURE=1: SASL/SCRAM over TLS with ACLs, docs/security.md)"
	@echo "make migrate  bring each service's database schema to the newest revision (make up does)"
	@echo "make bench    throughput and latency against the real broker"
	@echo "make cluster-up/cluster-down/cluster-status  three Kafka brokers (KRaft) on loopback"
	@echo "              (SECURE=1 likewise)"
	@echo "make chaos    kill services and brokers under load, count what was lost or doubled"
	@echo "make fuzz     the fuzz tier's full run against intake (docs/intake.md), with its counts"
	@echo "make train    rebuild the triage model and its evaluation report (training/report/)"

# Installs exactly what requirements/dev.lock pins (hashes checked), then the project itself;
# `pip check` fails when pyproject.toml declares a dependency the lock lacks (run `make lock`).
$(STAMP): pyproject.toml requirements/dev.lock
	@[ -n "$(PYTHON_VERSION)" ] || { echo "python3.11 or newer is needed"; exit 1; }
	@echo "using $(PYTHON_VERSION) ($$($(PYTHON_VERSION) --version))"
	$(PYTHON_VERSION) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements/dev.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	$(VENV)/bin/pip check
	touch $(STAMP)

install: $(STAMP) kafka-jars

# Re-resolves the lock files from pyproject.toml (after a dependency is added or raised):
# runtime.lock for the image, dev.lock (runtime + the dev extra) for make install and CI.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet
lock:
	@[ -x $(VENV)/bin/uv ] || { $(MAKE) $(STAMP) || $(VENV)/bin/pip install --quiet uv; }
	$(LOCK) -o requirements/runtime.lock
	$(LOCK) --extra dev -o requirements/dev.lock

kafka-jars:
	$(KAFKACTL) fetch

kafka-up: kafka-jars
	$(KAFKACTL) up

kafka-down:
	$(KAFKACTL) down

# Three brokers on KAFKA_CLUSTER_PORTS (19092 19094 19096; controllers on the next ports);
# docs/reliability.md says how to run the services against them. SECURE=1: SASL/SCRAM over TLS
# with ACLs on every node (docs/security.md); the project's Python makes the credentials.
cluster-up: kafka-jars $(if $(SECURE),$(STAMP))
	deploy/kafka/cluster up

cluster-down:
	deploy/kafka/cluster down

cluster-status:
	deploy/kafka/cluster status

# Each service's database to the newest schema revision; `make up` runs it before the services.
migrate: install
	deploy/pipeline migrate

up: install kafka-up
	$(CLIENT_ENV) KAFKA_BOOTSTRAP_SERVERS=$(BROKER) deploy/pipeline up

down:
	deploy/pipeline down
	$(KAFKACTL) down

status:
	-$(KAFKACTL) status
	deploy/pipeline status
	$(PY) -m shared.groups --bootstrap $(BROKER)

run: up
	$(CLIENT_ENV) KAFKA_BOOTSTRAP_SERVERS=$(BROKER) deploy/run-demo

# Prometheus and promtool (Debian's package) for the metrics tests and the alert-rule checks.
prometheus:
	deploy/prometheus/install

# Debian's chromium for the desk's browser tests (Playwright drives it by its path).
chromium:
	deploy/desk/install-chromium

test: install prometheus chromium
	$(PY) -m pytest

test-unit: install prometheus
	$(PY) -m pytest -m "not kafka and not postgres"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# A broker of its own on BENCH_KAFKA_PORT (25092: below Linux's ephemeral ports, which a client
# connection may hold) unless KAFKA_BOOTSTRAP_SERVERS is given;
# options: make bench BENCH_ARGS="-n 20000 --rates 100,500" (python -m benchmarks --help).
bench: install kafka-jars
	$(PY) -m benchmarks $(BENCH_ARGS)

# The proof of docs/reliability.md: a cluster, two instances of each service, kills under load.
# Options: make chaos CHAOS_ARGS="-n 100000" (python -m benchmarks.chaos --help).
chaos: install kafka-jars
	$(PY) -m benchmarks.chaos $(CHAOS_ARGS)

# 100,000 generated and mutated payloads across the channels and 10,000 requests to the running
# gateway; `make test` runs a short version. Options: make fuzz FUZZ_ARGS="--seed 7".
fuzz: install
	$(PY) -m tests.fuzz $(FUZZ_ARGS)

# Rebuilds the shipped triage model and training/report/ from the corpus and the caseworkers'
# corrections in triage's store (docs/triage.md); deterministic, a few minutes. Not part of test.
train: install
	$(PY) -m training.train $(TRAIN_ARGS)

clean: down
	rm -rf .state
