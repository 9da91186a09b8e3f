"""The OA access token and its single-use refresh token.

Zalo returns a new refresh token with every refresh and the old one stops working, so two
workers must never refresh with the same one: a refresh is serialised in-process by an
asyncio lock and across workers by a lease row in the database (`ChannelStore.claim_refresh`);
the new pair is written in one statement the moment it arrives. A worker that finds the
version moved on simply reads the token another worker fetched."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import httpx

from bots.store import ChannelStore, now_utc

log = logging.getLogger(__name__)

REFRESH_PATH = "/v4/oa/access_token"
LEASE = dt.timedelta(seconds=30)
EXPIRY_MARGIN = dt.timedelta(minutes=5)  # refresh this long before the token expires
WAIT_FOR_OTHER_S = 35.0  # how long to wait for another worker's refresh


class TokenError(RuntimeError):
    """The tokens cannot be refreshed (revoked refresh token, wrong app secret, …)."""


class ZaloTokens:
    def __init__(
        self,
        store: ChannelStore,
        client: httpx.AsyncClient,
        *,
        app_id: str,
        app_secret: str,
        oauth_base_url: str,
        seed_access_token: str = "",
        seed_refresh_token: str = "",
    ) -> None:
        self.store = store
        self.client = client
        self.app_id = app_id
        self.app_secret = app_secret
        self.url = oauth_base_url.rstrip("/") + REFRESH_PATH
        self._lock = asyncio.Lock()
        if seed_access_token or seed_refresh_token:
            store.seed_tokens(app_id, seed_access_token, seed_refresh_token)
        self.refreshes = 0  # done by this process (for tests and metrics)

    async def access_token(self) -> str:
        row = await asyncio.to_thread(self.store.tokens, self.app_id)
        if row is None:
            raise TokenError("no Zalo tokens configured (ASSISTANT_ZALO_REFRESH_TOKEN)")
        expiring = row.expires_at is not None and row.expires_at - EXPIRY_MARGIN <= now_utc()
        if not row.access_token or expiring:
            return await self.refresh(row.access_token)
        return row.access_token

    async def refresh(self, stale: str) -> str:
        """A fresh access token, replacing `stale` (the one that was refused or expired)."""
        async with self._lock:
            deadline = time.monotonic() + WAIT_FOR_OTHER_S
            while True:
                row = await asyncio.to_thread(self.store.tokens, self.app_id)
                if row is None:
                    raise TokenError("no Zalo tokens configured (ASSISTANT_ZALO_REFRESH_TOKEN)")
                fresh = row.expires_at is None or row.expires_at - EXPIRY_MARGIN > now_utc()
                if row.access_token and row.access_token != stale and fresh:
                    return row.access_token  # another worker (or an earlier waiter) refreshed
                claimed = await asyncio.to_thread(
                    self.store.claim_refresh, self.app_id, row.version, LEASE
                )
                if claimed:
                    return await self._refresh(row.version, row.refresh_token)
                if time.monotonic() > deadline:
                    raise TokenError("another worker's token refresh did not finish")
                await asyncio.sleep(0.05)

    async def _refresh(self, version: int, refresh_token: str) -> str:
        try:
            response = await self.client.post(
                self.url,
                headers={"secret_key": self.app_secret},
                data={
                    "refresh_token": refresh_token,
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                },
            )
            body: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            await asyncio.to_thread(self.store.release_refresh, self.app_id, version)
            raise TokenError(f"token refresh failed: {type(exc).__name__}") from exc
        access = body.get("access_token") if isinstance(body, dict) else None
        new_refresh = body.get("refresh_token") if isinstance(body, dict) else None
        if not access or not new_refresh:
            await asyncio.to_thread(self.store.release_refresh, self.app_id, version)
            error = body.get("error") if isinstance(body, dict) else None
            raise TokenError(f"token refresh refused by Zalo (error {error})")
        try:
            lifetime = int(body.get("expires_in") or 90000)
        except (TypeError, ValueError):
            lifetime = 90000
        expires = now_utc() + dt.timedelta(seconds=lifetime)
        await asyncio.to_thread(
            self.store.store_refreshed, self.app_id, version, access, new_refresh, expires
        )
        self.refreshes += 1
        log.info(
            "zalo: access token refreshed (version %d, expires in %d s)", version + 1, lifetime
        )
        return str(access)
