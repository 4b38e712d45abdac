"""What the app needs at run time beyond settings: keys, ciphers, the event bus, and the
background work of an API process (the outbox dispatcher, the spare-schema keeper)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from taskiq import AsyncBroker, TaskiqEvents, TaskiqState

from wabotiq.agent.understanding.message import warm_up
from wabotiq.auth.tokens import JwtSigner
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings, get_settings
from wabotiq.db.connection import credentials_from_url
from wabotiq.db.health import DatabaseHealth
from wabotiq.events.bus import EventBus, make_bus
from wabotiq.events.dispatcher import Dispatcher
from wabotiq.tenancy.spares import SpareKeeper
from wabotiq.workers.broker import broker, start_broker, stop_broker
from wabotiq.workers.indexing import index_events
from wabotiq.workers.messaging import Messaging, install, uninstall
from wabotiq.workers.state import provide_runtime, withdraw_runtime


@dataclass
class Runtime:
    settings: Settings
    signer: JwtSigner
    cipher: FieldCipher
    bus: EventBus
    db_health: DatabaseHealth
    messaging: Messaging
    dispatcher: Dispatcher | None = field(default=None)
    spares: SpareKeeper | None = field(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.require_secrets()
        cipher = FieldCipher(settings)
        return cls(
            settings=settings,
            signer=JwtSigner(settings),
            cipher=cipher,
            messaging=Messaging(settings=settings, cipher=cipher),
            bus=make_bus(settings.redis_url),
            db_health=DatabaseHealth(retry_after_s=settings.db_retry_after_s),
        )

    def serve_tasks(self) -> None:
        """Be the runtime of the tasks this process runs (with the in-memory broker, or the
        in-process worker of `wabotiq up`), unless they already have one. Before the broker
        starts: a worker start-up without one builds its own."""
        provide_runtime(broker, self)

    async def close(self) -> None:
        await self.messaging.aclose()
        await self.bus.close()
        await self.db_health.close()

    async def start_background(self, database_url: str) -> None:
        """Start an API process's background work: publishing committed outbox events to the
        bus, and keeping spare tenant schemas ready."""
        self.serve_tasks()
        credentials = credentials_from_url(database_url)
        credentials["password"] = credentials["password"] or None
        install(self.messaging)  # conversation tasks run in this process too (`wabotiq up`)
        await warm_up()  # the assistant's models, before the first customer waits for them
        if self.dispatcher is None:
            self.dispatcher = Dispatcher(
                self.bus,
                listen_dsn=credentials,
                sweep_s=self.settings.outbox_sweep_s,
                consumers=[index_events],
                health=self.db_health,
            )
            await start_broker()  # the dispatcher kicks tasks
            await self.dispatcher.start()
        if self.spares is None and self.settings.spare_schemas:
            self.spares = SpareKeeper(
                target=self.settings.spare_schemas,
                listen_dsn=credentials,
                interval_s=self.settings.outbox_sweep_s,
                health=self.db_health,
            )
            await self.spares.start()

    async def stop_background(self) -> None:
        uninstall(self.messaging)
        if self.spares is not None:
            await self.spares.stop()
            self.spares = None
        if self.dispatcher is not None:
            await self.dispatcher.stop()
            self.dispatcher = None
            await stop_broker()
        withdraw_runtime(broker, self)
        await self.close()


def serve_worker_runtime(
    target: AsyncBroker, settings: Callable[[], Settings] = get_settings
) -> None:
    """On `target`'s worker start-up, build the runtime the API would (same settings, same
    objects) unless the process already gave it one (`wabotiq up`: the API's own); at worker
    shutdown, close the one it built."""

    async def start(state: TaskiqState) -> None:
        if getattr(state, "runtime", None) is None:
            runtime = Runtime.from_settings(settings())
            provide_runtime(target, runtime, owned=True)
            install(runtime.messaging)  # conversation tasks answer with the runtime's objects

    async def stop(state: TaskiqState) -> None:
        runtime = getattr(state, "runtime", None)
        if runtime is not None and getattr(state, "runtime_owned", False):
            uninstall(runtime.messaging)
            withdraw_runtime(target, runtime)
            await runtime.close()

    target.add_event_handler(TaskiqEvents.WORKER_STARTUP, start)
    target.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, stop)


serve_worker_runtime(broker)
