"""The channel store on SQLite and PostgreSQL: first claim wins, preferences and pauses
persist, the token lease admits one refresher per version, old rows are pruned."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from bots.store import ChannelStore, now_utc


def test_claims_preferences_pauses_and_pruning(database_url: str) -> None:
    store = ChannelStore(database_url)
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda _i: store.claim_event("zalo", "msg:1"), range(8)))
    assert wins.count(True) == 1
    assert store.claim_event("telegram", "msg:1")  # another channel, another event
    assert store.language("zalo", "u") is None
    store.set_language("zalo", "u", "en")
    store.pause("zalo", "u", now_utc() + dt.timedelta(minutes=5))
    other = ChannelStore(database_url)  # another worker sees it
    assert other.language("zalo", "u") == "en" and other.paused("zalo", "u")
    assert not other.paused("zalo", "u", now=now_utc() + dt.timedelta(minutes=6))
    assert other.language("telegram", "u") is None
    long_text = "Thủ tục cấp hộ chiếu phổ thông ở trong nước (1.000001)" * 3
    key, second = other.put_buttons([long_text, "lệ phí"])  # one transaction, keys in order
    assert store.button(key) == long_text and store.button(second) == "lệ phí"
    assert store.button("missing") is None and other.put_buttons([]) == []
    assert store.prune_events(dt.timedelta(days=-1)) == 2  # everything is "older" than tomorrow
    assert store.claim_event("zalo", "msg:1")
    assert store.prune_buttons(dt.timedelta(days=-1)) == 2 and store.button(key) is None
    other.close()
    store.close()


def test_refresh_lease_admits_one_per_version(database_url: str) -> None:
    store = ChannelStore(database_url)
    store.seed_tokens("app", "a0", "r0")
    store.seed_tokens("app", "other", "other")  # never overwrites stored tokens
    row = store.tokens("app")
    assert row is not None and (row.access_token, row.refresh_token, row.version) == ("a0", "r0", 0)
    lease = dt.timedelta(seconds=30)
    with ThreadPoolExecutor(6) as pool:
        claims = list(pool.map(lambda _i: store.claim_refresh("app", 0, lease), range(6)))
    assert claims.count(True) == 1
    store.store_refreshed("app", 0, "a1", "r1", now_utc() + dt.timedelta(hours=25))
    row = store.tokens("app")
    assert row is not None and (row.access_token, row.refresh_token, row.version) == ("a1", "r1", 1)
    assert row.refreshing_until is None
    assert not store.claim_refresh("app", 0, lease)  # a stale version cannot refresh
    assert store.claim_refresh("app", 1, lease)
    store.release_refresh("app", 1)
    assert store.claim_refresh("app", 1, lease)  # released: claimable again
    store.close()
