"""The concurrency gate in front of the recognizer: a bounded queue that forgets clients who left.

At most `max_concurrent` recognitions run at once (each in a worker thread, so a
slow drawing never blocks the event loop; onnxruntime sessions may be run from
several threads at once). Up to `max_queue` more wait for a slot; one more is
refused with 503 and Retry-After at once. A waiting request whose client hangs
up leaves the queue without running: nobody would read its answer, and heavy
orphans used to hold everyone after them for minutes. A recognition already
running cannot be stopped (it is in a thread) and finishes unread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio import CancelScope
from fastapi import Request

from numrec.faces.web.errors import ApiError
from numrec.faces.web.settings import RETRY_AFTER_SECONDS

T = TypeVar("T")


class Gate:
    def __init__(self, max_concurrent: int, max_queue: int) -> None:
        self.slots = anyio.Semaphore(max_concurrent)
        # Only slot holders start threads, so this never makes one wait; without it
        # anyio's default pool (40 threads) would cap max_concurrent.
        self.threads = anyio.CapacityLimiter(max_concurrent)
        self.max_queue = max_queue
        self.waiting = 0  # requests in the queue now

    async def run(self, request: Request, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` in a thread once a slot is free; 503 if the queue is full, 400 if the client left."""
        if self.slots.value == 0 and self.waiting >= self.max_queue:
            raise ApiError(
                503,
                f"the server is busy ({self.max_queue} recognitions waiting); try again in a moment",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        await self._turn(request)
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self.threads)
        finally:
            self.slots.release()

    async def _turn(self, request: Request) -> None:
        """Take a slot, or raise (holding none) as soon as the client hangs up while waiting."""
        self.waiting += 1
        got = False
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(_cancel_on_disconnect, request, group.cancel_scope)
                await self.slots.acquire()
                got = True
                group.cancel_scope.cancel()  # stops the watcher
        finally:
            self.waiting -= 1
        # The hang-up may have come in the same loop turn as the slot.
        if got and await request.is_disconnected():
            self.slots.release()
            got = False
        if not got:
            raise ApiError(400, "client disconnected before its turn")


async def _cancel_on_disconnect(request: Request, scope: CancelScope) -> None:
    # The body is already read, so the next message is the disconnect (uvicorn
    # sends it when the connection is lost, or once the answer is sent).
    while (await request.receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
