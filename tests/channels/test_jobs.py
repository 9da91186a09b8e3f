"""The Redis job queue (bots/jobs.py) and `assistant worker` (bots/worker.py), against a real
Redis (127.0.0.1:6379, a unique stream per test; a private redis-server for the restart test)
and the real Zalo stand-in over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import redis

from assistant.service import Assistant
from assistant.settings import Settings
from bots.jobs import JobQueue
from bots.web.ratelimit import RedisRateLimiter
from bots.worker import run_worker
from tests.channels.conftest import (
    app_client,
    eventually,
    make_assistant,
    signed,
    telegram_settings,
    zalo_event,
    zalo_settings,
)
from tests.conftest import skip_or_fail
from tests.servers import free_port
from tests.standins.telegram_server import TelegramStandIn
from tests.standins.zalo_server import (
    APP_ID,
    APP_SECRET,
    FIRST_ACCESS_TOKEN,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    ZaloStandIn,
)

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_SERVER = "/usr/bin/redis-server"


@pytest.fixture()
def stream() -> Iterator[str]:
    """A stream name of this test's own on the shared Redis, deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        skip_or_fail("Redis is not reachable at 127.0.0.1:6379")
    name = f"test:jobs:{uuid.uuid4().hex}"
    yield name
    client.delete(name, name + ":dead")
    client.close()


@pytest.fixture()
def assistant(base_assistant: Assistant, sqlite_url: str) -> Iterator[Assistant]:
    """The shared search and catalogue with this test's own conversation store."""
    service = make_assistant(base_assistant, sqlite_url)
    yield service
    service.conversations.close()


@pytest.fixture()
async def queue(stream: str) -> AsyncIterator[JobQueue]:
    """A job queue on this test's own stream, with the default timeouts."""
    jobs = JobQueue(REDIS_URL, stream=stream)
    yield jobs
    await jobs.close()


def jobs_settings(
    data_dir: Path, url: str, zalo: ZaloStandIn, stream: str, **extra: Any
) -> Settings:
    extra.setdefault("redis_url", REDIS_URL)
    return zalo_settings(data_dir, url, zalo, jobs_backend="redis", jobs_stream=stream, **extra)


@asynccontextmanager
async def worker(settings: Settings, assistant: Assistant) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, assistant, stop=stop, consumer="w-test"))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def test_zalo_delivered_twice_to_two_apps_is_one_job_and_one_answer(
    starter_data_dir: Path,
    assistant: Assistant,
    sqlite_url: str,
    zalo: ZaloStandIn,
    stream: str,
    queue: JobQueue,
) -> None:
    settings = jobs_settings(starter_data_dir, sqlite_url, zalo, stream)
    body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="twice1"))
    async with (
        app_client(settings, assistant) as (first, _a),
        app_client(settings, assistant) as (second, _b),
    ):
        answers = [
            (await client.post("/webhooks/zalo", content=body, headers=headers)).json()
            for client in (first, second, first)
        ]
        assert sorted(a["status"] for a in answers) == ["accepted", "duplicate", "duplicate"]
        assert await queue.client.xlen(stream) == 1
        await asyncio.sleep(0.3)
        assert zalo.sent == []  # queued, not answered by the web process
        async with worker(settings, assistant):
            await eventually(lambda: len(zalo.sent) == 1, what="the answer")
            await asyncio.sleep(0.3)
        assert len(zalo.sent) == 1 and "kết hôn" in zalo.sent[0].message["text"].lower()
        assert await queue.client.xlen(stream) == 0  # deleted on ack: the text is not kept
        assert await queue.pending() == 0


async def test_job_of_a_dead_consumer_is_reclaimed_and_answered_once(
    starter_data_dir: Path,
    assistant: Assistant,
    sqlite_url: str,
    zalo: ZaloStandIn,
    stream: str,
) -> None:
    settings = jobs_settings(
        starter_data_dir, sqlite_url, zalo, stream, jobs_visibility_timeout_s=0.5
    )
    queue = JobQueue(REDIS_URL, stream=stream, visibility_timeout_s=0.5)
    await queue.enqueue("zalo", zalo_event(text="cảm ơn", msg_id="dead1"))
    taken = await queue._next("dead-consumer")  # read, then "dies": never acknowledged
    assert taken is not None and await queue.pending() == 1
    started = time.monotonic()
    async with worker(settings, assistant):
        await eventually(lambda: len(zalo.sent) == 1, what="the reclaimed answer")
        waited = time.monotonic() - started
        await asyncio.sleep(0.8)  # past another visibility timeout: not answered again
    assert waited >= 0.5  # taken over only after the visibility timeout
    assert len(zalo.sent) == 1
    assert await queue.pending() == 0 and await queue.client.xlen(stream) == 0
    await queue.close()


async def test_failing_job_is_retried_then_dead_lettered(stream: str) -> None:
    queue = JobQueue(REDIS_URL, stream=stream, visibility_timeout_s=0.05, max_attempts=3)
    calls: list[dict[str, Any]] = []
    done: list[dict[str, Any]] = []

    async def broken(payload: dict[str, Any]) -> None:
        calls.append(payload)
        raise RuntimeError("the channel is broken")

    async def fine(payload: dict[str, Any]) -> None:
        done.append(payload)

    handlers = {"broken": broken, "fine": fine}
    await queue.enqueue("broken", {"n": 1})
    await queue.enqueue("nonsense", {"n": 2})
    deadline = time.monotonic() + 10
    while len(await queue.dead()) < 2:
        assert time.monotonic() < deadline, "the failing job was not dead-lettered"
        await queue.run_one(handlers, "w1")
        await asyncio.sleep(0.06)
    for _ in range(5):  # nothing left to loop on
        await queue.run_one(handlers, "w1")
    assert len(calls) == 3  # max_attempts, then no more
    assert sorted(j["kind"] for j in await queue.dead()) == ["broken", "nonsense"]
    assert await queue.pending() == 0 and await queue.client.xlen(stream) == 0
    await queue.enqueue("fine", {"n": 3})  # the queue goes on
    await queue.run_one(handlers, "w1")
    assert done == [{"n": 3}]
    await queue.close()


def worker_env(data_dir: Path, url: str, zalo: ZaloStandIn, stream: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_DATA_DIR=str(data_dir),
        ASSISTANT_DATABASE_URL=url,
        ASSISTANT_JOBS_BACKEND="redis",
        ASSISTANT_REDIS_URL=REDIS_URL,
        ASSISTANT_JOBS_STREAM=stream,
        ASSISTANT_ZALO_APP_ID=APP_ID,
        ASSISTANT_ZALO_OA_SECRET_KEY=OA_SECRET_KEY,
        ASSISTANT_ZALO_APP_SECRET=APP_SECRET,
        ASSISTANT_ZALO_ACCESS_TOKEN=FIRST_ACCESS_TOKEN,
        ASSISTANT_ZALO_REFRESH_TOKEN=FIRST_REFRESH_TOKEN,
        ASSISTANT_ZALO_API_BASE_URL=zalo.api_base_url,
        ASSISTANT_ZALO_OAUTH_BASE_URL=zalo.oauth_base_url,
    )
    return env


async def test_sigterm_during_a_job_finishes_acks_and_exits_0(
    starter_data_dir: Path, sqlite_url: str, zalo: ZaloStandIn, stream: str, queue: JobQueue
) -> None:
    # The send meets an expired token; the refresh takes 3 s: the job is slow.
    zalo.expire_access_token()
    zalo.refresh_delay_s = 3.0
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "worker"],
        env=worker_env(starter_data_dir, sqlite_url, zalo, stream),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        await queue.enqueue("zalo", zalo_event(text="cảm ơn", msg_id="term1"))
        deadline = time.monotonic() + 60
        while zalo.send_attempts == 0:  # the worker is inside the job
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the worker never took the job"
            await asyncio.sleep(0.05)
        assert zalo.sent == []
        process.send_signal(signal.SIGTERM)
        rc = await asyncio.to_thread(process.wait, 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = process.stdout.read().decode() if process.stdout else ""
    assert rc == 0, output
    assert len(zalo.sent) == 1  # the job in hand was finished
    assert await queue.pending() == 0 and await queue.client.xlen(stream) == 0


@asynccontextmanager
async def private_redis(port: int) -> AsyncIterator[subprocess.Popen[bytes]]:
    if not os.path.exists(REDIS_SERVER):
        skip_or_fail(f"{REDIS_SERVER} is not installed")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except (redis.RedisError, OSError):
            assert time.monotonic() < deadline, "private redis-server did not start"
            await asyncio.sleep(0.05)
    client.close()
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)


async def test_redis_restarted_under_load_503_then_worker_carries_on(
    starter_data_dir: Path,
    assistant: Assistant,
    sqlite_url: str,
    zalo: ZaloStandIn,
) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings = jobs_settings(starter_data_dir, sqlite_url, zalo, "jobs", redis_url=url)
    limiter = RedisRateLimiter(url, per_minute=2)
    users = [f"61424948230000001{n:02d}" for n in range(12)]

    async def post(client: Any, n: int) -> Any:
        body, headers = signed(zalo_event(user=users[n], text="cảm ơn", msg_id=f"load{n}"))
        return await client.post("/webhooks/zalo", content=body, headers=headers)

    async with (
        app_client(settings, assistant) as (client, _app),
        worker(settings, assistant) as task,
    ):
        async with private_redis(port) as server:
            first = await asyncio.gather(*(post(client, n) for n in range(6)))
            assert [r.status_code for r in first] == [200] * 6
            server.kill()  # Redis dies under load
            server.wait(10)
            down = await asyncio.gather(*(post(client, n) for n in range(6, 12)))
            assert [r.status_code for r in down] == [503] * 6
            assert all(r.headers["retry-after"] == "5" for r in down)
            assert down[0].json()["error"]["code"] == "queue_unavailable"
            assert (await limiter.hit("client")).allowed  # the limiter fails open
            assert not task.done()  # the worker waits, it does not crash
        async with private_redis(port):  # the same worker reconnects
            # Redis is back (empty: no persistence in this test); the platform retries.
            again = await asyncio.gather(*(post(client, n) for n in range(6, 12)))
            assert [r.status_code for r in again] == [200] * 6  # claims were released
            await eventually(
                lambda: len({s.user_id for s in zalo.sent} & set(users[6:])) == 6,
                what="answers after the restart",
            )
            verdicts = [await limiter.hit("client") for _ in range(3)]
            assert [v.allowed for v in verdicts] == [True, True, False]  # limits again
            await asyncio.sleep(0.3)
    answered = [s.user_id for s in zalo.sent if s.user_id in users[6:]]
    assert sorted(answered) == sorted(users[6:])  # each exactly once
    assert len([s for s in zalo.sent if s.user_id in users]) <= 12  # never twice
    await limiter.close()


async def test_rate_limiter_fails_open_when_redis_is_unreachable() -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", per_minute=1)
    started = time.monotonic()
    verdicts = [await limiter.hit("client") for _ in range(3)]
    assert all(v.allowed for v in verdicts)  # deliberately open: a broken limiter ≠ outage
    assert time.monotonic() - started < 5
    await limiter.close()


async def test_telegram_update_delivered_twice_is_queued_once_and_answered_by_the_worker(
    starter_data_dir: Path,
    assistant: Assistant,
    sqlite_url: str,
    telegram: TelegramStandIn,
    stream: str,
    queue: JobQueue,
) -> None:
    from tests.channels.test_telegram import HEADERS, message_update

    settings = telegram_settings(
        starter_data_dir,
        sqlite_url,
        telegram,
        jobs_backend="redis",
        redis_url=REDIS_URL,
        jobs_stream=stream,
    )
    update = json.dumps(message_update("/start"))
    async with app_client(settings, assistant) as (client, _app):
        answers = [
            (await client.post("/webhooks/telegram", content=update, headers=HEADERS)).json()
            for _ in range(2)
        ]
        assert [a["status"] for a in answers] == ["accepted", "duplicate"]
        assert await queue.client.xlen(stream) == 1
        await asyncio.sleep(0.3)
        assert telegram.calls("sendMessage") == []  # queued, not answered by the web process
        async with worker(settings, assistant):
            sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 1)
            await asyncio.sleep(0.3)
        assert len(telegram.calls("sendMessage")) == 1
        assert sent[0].params["text"].startswith("Xin chào")
        assert await queue.pending() == 0 and await queue.client.xlen(stream) == 0
