# One way to set up, run and check the pipeline: the same commands for a person and for CI.
SHELL := /bin/bash
PYTHON_VERSION ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKACTL := deploy/kafka/kafkactl
export KAFKA_PORT ?= 9092
# The services and the demo find the broker that `make kafka-up` starts. Not exported: tests and
# the benchmark start a broker of their own unless KAFKA_BOOTSTRAP_SERVERS is given.
BROKER := $(or $(KAFKA_BOOTSTRAP_SERVERS),127.0.0.1:$(KAFKA_PORT))

.PHONY: help install prometheus kafka-jars kafka-up kafka-down migrate up down status run test test-unit lint bench train clean

help:
	@echo "make run      set up everything, start the pipeline, feed the demo inquiries, print a summary"
	@echo "make test     unit, handler and integration tests (real Kafka broker)"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make up/down  start/stop the broker and the four services in the background"
	@echo "make migrate  bring each service's database schema to the newest revision (make up does)"
	@echo "make bench    throughput and latency against the real broker"
	@echo "make train    rebuild the triage model and its evaluation report (training/report/)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON_VERSION) >/dev/null || { echo "$(PYTHON_VERSION) is needed"; exit 1; }
	$(PYTHON_VERSION) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) kafka-jars

kafka-jars:
	$(KAFKACTL) fetch

kafka-up: kafka-jars
	$(KAFKACTL) up

kafka-down:
	$(KAFKACTL) down

# Each service's database to the newest schema revision; `make up` runs it before the services.
migrate: install
	deploy/pipeline migrate

up: install kafka-up
	KAFKA_BOOTSTRAP_SERVERS=$(BROKER) deploy/pipeline up

down:
	deploy/pipeline down
	$(KAFKACTL) down

status:
	$(KAFKACTL) status
	deploy/pipeline status

run: up
	KAFKA_BOOTSTRAP_SERVERS=$(BROKER) deploy/run-demo

# Prometheus and promtool (Debian's package) for the metrics tests and the alert-rule checks.
prometheus:
	deploy/prometheus/install

test: install prometheus
	$(PY) -m pytest

test-unit: install prometheus
	$(PY) -m pytest -m "not kafka and not postgres"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# A broker of its own on BENCH_KAFKA_PORT (39092) unless KAFKA_BOOTSTRAP_SERVERS is given;
# options: make bench BENCH_ARGS="-n 20000 --rates 100,500" (python -m benchmarks --help).
bench: install kafka-jars
	$(PY) -m benchmarks $(BENCH_ARGS)

# Rebuilds the shipped triage model and training/report/ from the corpus and the caseworkers'
# corrections in triage's store (docs/triage.md); deterministic, a few minutes. Not part of test.
train: install
	$(PY) -m training.train $(TRAIN_ARGS)

clean: down
	rm -rf .state
