"""The process around a service: HTTP health and metrics routes beside the broker, readiness
once the subscribers run, a graceful stop on SIGTERM, and a non-zero exit when the broker fails."""

from __future__ import annotations

import gc
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import uvicorn
from faststream.asgi import AsgiFastStream, AsgiResponse, get
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from prometheus_client import CollectorRegistry, make_asgi_app

from shared.delivery import transactions
from shared.kafka_security import credentials_checked
from shared.logs import configure_logging
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class ServiceProcess:
    def __init__(
        self,
        broker: KafkaBroker,
        registry: CollectorRegistry,
        *,
        lifespan: Callable[[], AbstractAsyncContextManager[None]],
        title: str,
        routes: Sequence[tuple[str, Any]] = (),
        pages: Any = None,
    ) -> None:
        self.broker = broker
        self.registry = registry
        self.ready = False
        self.failed = False
        self._serving = False
        self._service_lifespan = lifespan
        self.app = AsgiFastStream(
            broker,
            asgi_routes=[
                ("/health/live", self._live),
                ("/health/ready", self._readiness),
                ("/metrics", make_asgi_app(registry)),
                *routes,  # a service's own HTTP endpoints, e.g. intake's gateway
            ],
            lifespan=self._lifespan,
            after_startup=[self._mark_ready],
            specification=AsyncAPI(broker, title=f"Inquiry triage: {title}"),
            asyncapi_path="/docs/asyncapi",
            # A plain logger: its lines go through the service's formatter (shared/logs.py).
            logger=logging.getLogger(f"{__name__}.faststream"),
        )
        if pages is not None:
            # An ASGI app of a service's own web pages (the caseworkers' desk) takes every path
            # that is not one of the routes above.
            self.app.not_found = pages  # type: ignore[method-assign]

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        # The transactional producers start before the broker consumes: each fences the instance
        # it replaces; a fenced one stops the process.
        async with AsyncExitStack() as running:
            # Refused credentials are told as such at start-up only: a Kafka error that stops a
            # running service later need not be the login's fault, even if a login was refused.
            with credentials_checked():
                await running.enter_async_context(self._service_lifespan())
                await running.enter_async_context(transactions(self.broker, self._fenced))
            # What start-up loaded (models, catalogues, templates, libraries) lives as long as
            # the process: frozen, the collector's full collections no longer walk it
            # (docs/performance.md has the figures).
            gc.freeze()
            try:
                yield
            except BaseException:
                self.ready = False
                if self._serving:
                    # The broker or a subscriber failed after start-up: stop the process rather
                    # than serve health checks for a service that no longer consumes.
                    log.critical("the broker failed; stopping the service", exc_info=True)
                    self.failed = True
                    os.kill(os.getpid(), signal.SIGTERM)
                raise

    def _fenced(self) -> None:
        self.ready = False
        if self._serving:
            self.failed = True
            os.kill(os.getpid(), signal.SIGTERM)

    async def _mark_ready(self) -> None:
        self.ready = True

    @property
    def _live(self) -> Any:
        @get
        async def live(scope: Any) -> AsgiResponse:
            return AsgiResponse(b"live", 200)

        return live

    @property
    def _readiness(self) -> Any:
        @get
        async def readiness(scope: Any) -> AsgiResponse:
            if self.ready and await self.broker.ping(timeout=2.0):
                return AsgiResponse(b"ready", 200)
            return AsgiResponse(b"not ready", 503)

        return readiness

    def serve(self, settings: ServiceSettings) -> int:
        configure_logging(settings)
        self._serving = True
        uvicorn.run(
            self.app,
            host=settings.http_host,
            port=settings.http_port,
            log_level=settings.log_level.lower(),
            access_log=False,
            log_config=None,  # uvicorn's lines go through configure_logging's formatter
            lifespan="on",
        )
        return 1 if self.failed else 0
