"""Sync and async clients behind one face, so behavioural tests run against both.

``Flavour("async").make(ApimClient, **options)`` builds the AsyncApimClient with the same
options and wraps it: every call is awaited on an event loop of its own thread, ``query``
gives a plain iterator pulling pages through ``async for``, and ``close`` is ``aclose``.
The tests' assertions then hold for both clients unchanged.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

import boomisoap
from boomisoap.aio.services import AsyncObjectService, AsyncQueryIterator

ASYNC_OF = {
    "ApimClient": "AsyncApimClient",
    "PlatformClient": "AsyncPlatformClient",
    "MftClient": "AsyncMftClient",
}


class Loop:
    """An event loop running in a thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def wait(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class _Pages:
    """An async query iterator pulled item by item from the test's thread."""

    def __init__(self, pages: AsyncQueryIterator[Any], loop: Loop) -> None:
        self._pages = pages
        self._loop = loop

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return self._loop.wait(self._pages.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pages, name)


class _Blocking:
    """A sync face over an async object: coroutines are awaited, async iterators pulled."""

    def __init__(self, target: Any, loop: Loop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, AsyncObjectService) or name == "accounting":
            return _Blocking(value, self._loop)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            if isinstance(result, AsyncQueryIterator):
                return _Pages(result, self._loop)
            if asyncio.iscoroutine(result):
                return self._loop.wait(result)
            return result

        return call

    def __repr__(self) -> str:
        return repr(self._target)


class BlockingClient(_Blocking):
    def __init__(self, client: Any, loop: Loop) -> None:
        super().__init__(client, loop)
        self.client = client

    def close(self) -> None:
        try:
            self._loop.wait(self.client.aclose())
        finally:
            self._loop.stop()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Flavour:
    """``sync`` builds the client asked for; ``async`` its async twin, behind a sync face."""

    def __init__(self, name: str) -> None:
        self.name = name

    def make(self, cls: Any, **options: Any) -> Any:
        if self.name == "sync":
            return cls(**options)
        twin = getattr(boomisoap, ASYNC_OF[cls.__name__])
        loop = Loop()

        async def build() -> Any:
            return twin(**options)

        try:
            return BlockingClient(loop.wait(build()), loop)
        except BaseException:
            loop.stop()
            raise

    def __repr__(self) -> str:
        return self.name


FLAVOURS = ["sync", "async"]
