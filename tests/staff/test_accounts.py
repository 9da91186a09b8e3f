"""Accounts and security: failed logins counted in the database (shared by workers), the
login form's CSRF token, the accounts page and API for admins, the corrections page, and the
overview's retire button."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import httpx
import pytest

from staff.accounts import AccountRefused, LoginThrottle, StaffAccounts, Throttled
from staff.store import StaffStore
from tests.staff.conftest import PASSWORD, StaffEnv, token
from tests.web.conftest import api_client

pytestmark = pytest.mark.anyio

FAQ = {"questions": ["Bộ phận một cửa mở cửa mấy giờ?"], "answer_vi": "Từ 7 giờ 30."}


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def form_login(client: httpx.AsyncClient, username: str) -> str:
    """Log in through the console's form (GET the form, POST it); the session's CSRF token."""
    client.cookies.clear()
    form = await client.get("/staff/login")
    assert form.status_code == 200
    login = await client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert login.status_code == 303, login.text
    overview = await client.get("/staff")
    assert overview.status_code == 200
    return csrf_of(overview.text)


async def audit(client: httpx.AsyncClient, entity: str) -> list[dict[str, object]]:
    admin = await token(client, "admin")
    entries = (await client.get("/staff/api/audit", headers=admin)).json()
    return [e for e in entries if e["entity"] == entity]


# -- login throttling in the database -------------------------------------------------


def test_two_workers_share_the_failed_login_count_and_the_window_expires(
    database_url: str,
) -> None:
    clock = Clock(dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC))
    first, second = StaffStore(database_url), StaffStore(database_url)  # two processes
    try:
        one = LoginThrottle(first, attempts=3, window_s=60, clock=clock)
        two = LoginThrottle(second, attempts=3, window_s=60, clock=clock)
        keys = ["user:ed", "ip:203.0.113.7"]
        for throttle in (one, two, one):  # three failures, spread over both workers
            throttle.begin(keys)
            clock.advance(10)
        with pytest.raises(Throttled) as refused:
            two.begin(keys)
        # At 08:00:30, failures at :00, :10, :20: the one at :00 leaves the window at 01:00.
        assert refused.value.retry_after == 31
        assert "thử lại sau 31 giây" in str(refused.value) and "retry in 31 s" in str(refused.value)
        # Per username and per IP: another address for this user is refused, and so is
        # another user from this address.
        with pytest.raises(Throttled):
            one.begin(["user:ed", "ip:198.51.100.1"])
        with pytest.raises(Throttled):
            one.begin(["user:view", "ip:203.0.113.7"])
        # A refused attempt does not count: once the oldest failure leaves the window, one
        # more attempt is allowed, then the limit holds again.
        clock.advance(31)
        two.begin(keys)
        with pytest.raises(Throttled):
            one.begin(keys)
        # The whole window later, everything is forgotten (and pruned).
        clock.advance(61)
        attempt = one.begin(keys)
        two.begin(keys)
        two.begin(keys)  # two failures after it: three attempts for this user and this IP
        # A success clears the username's failures (and takes its own attempt back), not
        # the IP's.
        one.succeeded(attempt, clear="user:ed")
        two.begin(["user:ed", "ip:198.51.100.1"])
        two.begin(["user:other", "ip:203.0.113.7"])  # the IP's third
        with pytest.raises(Throttled):
            one.begin(["user:another", "ip:203.0.113.7"])
    finally:
        first.close()
        second.close()


async def test_failed_logins_through_two_app_workers_share_one_limit(
    staff_env: StaffEnv,
) -> None:
    """Two apps on one database, as two uvicorn workers: 3 attempts in all, not 3 each."""
    settings, assistant = staff_env.settings, staff_env.assistant
    async with api_client(settings, assistant) as one, api_client(settings, assistant) as two:
        for worker in (one, two, one):
            wrong = await worker.post(
                "/staff/api/login", json={"username": "ed", "password": "wrong-password"}
            )
            assert wrong.status_code == 401
        blocked = await two.post("/staff/api/login", json={"username": "ed", "password": PASSWORD})
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "Đăng nhập sai quá nhiều lần" in blocked.json()["error"]["message"]
        # The console's form answers the same, with Retry-After.
        form = await one.get("/staff/login")
        page = await one.post(
            "/staff/login",
            data={"username": "ed", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        )
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        assert "thử lại sau" in page.text
        # The client IP is throttled too: another account from it is refused.
        other = await two.post("/staff/api/login", json={"username": "view", "password": PASSWORD})
        assert other.status_code == 429
    async with api_client(settings, assistant, ip="198.51.100.9") as elsewhere:  # another IP
        fine = await elsewhere.post(
            "/staff/api/login", json={"username": "view", "password": PASSWORD}
        )
        assert fine.status_code == 200


# -- the login form's CSRF token --------------------------------------------------------


async def test_a_forged_login_form_is_refused_and_the_real_one_works(
    client: httpx.AsyncClient,
) -> None:
    credentials = {"username": "ed", "password": PASSWORD}
    forged = await client.post("/staff/login", data=credentials)
    assert forged.status_code == 403
    assert "Biểu mẫu đăng nhập đã hết hạn" in forged.text and "log in again" in forged.text
    assert "staff_session" not in forged.headers.get("set-cookie", "")
    form = await client.get("/staff/login")
    assert form.status_code == 200
    cookie = form.headers["set-cookie"].lower()
    assert "staff_login_csrf=" in cookie and "httponly" in cookie
    assert "samesite=strict" in cookie and "path=/staff" in cookie and "max-age=" in cookie
    csrf = csrf_of(form.text)
    wrong = await client.post("/staff/login", data={**credentials, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    # The refused page's form carries a working token again.
    assert csrf_of(wrong.text) == csrf
    login = await client.post("/staff/login", data={**credentials, "csrf_token": csrf})
    assert login.status_code == 303 and login.headers["location"] == "/staff"
    assert "staff_session=" in login.headers["set-cookie"]
    assert (await client.get("/staff")).status_code == 200
    # The forged attempts were refused before the password check: they counted no failure,
    # and the JSON API's login needs no form token.
    assert (
        await client.post("/staff/api/login", json=credentials)
    ).status_code == 200  # (3 attempts allowed in these settings)


async def test_without_the_cookie_the_form_token_alone_is_refused(
    client: httpx.AsyncClient,
) -> None:
    csrf = csrf_of((await client.get("/staff/login")).text)
    client.cookies.clear()
    refused = await client.post(
        "/staff/login", data={"username": "ed", "password": PASSWORD, "csrf_token": csrf}
    )
    assert refused.status_code == 403


# -- accounts -----------------------------------------------------------------------------


async def test_admins_manage_accounts_on_the_accounts_page(
    client: httpx.AsyncClient,
) -> None:
    editor_token = await token(client, "ed")
    csrf = await form_login(client, "admin")
    page = await client.get("/staff/users")
    assert page.status_code == 200
    for name in ("admin", "ed", "ed2", "view"):
        assert f'data-username="{name}"' in page.text
    assert 'href="/staff/users"' in page.text  # the nav link, for admins
    assert page.text.count('name="csrf_token"') >= 2 + 2 * 3  # logout, create, 3 × 2 rows

    # Create: the password needs 10 characters; the form keeps what was typed.
    short = await client.post(
        "/staff/users",
        data={"csrf_token": csrf, "username": "lan", "password": "short", "role": "viewer"},
    )
    assert short.status_code == 400
    assert "Mật khẩu cần 10–256 ký tự" in short.text and 'value="lan"' in short.text
    created = await client.post(
        "/staff/users",
        data={"csrf_token": csrf, "username": "lan", "password": PASSWORD, "role": "viewer"},
    )
    assert created.status_code == 303
    shown = await client.get(created.headers["location"])
    assert "Đã tạo tài khoản" in shown.text and 'data-username="lan"' in shown.text
    again = await client.post(
        "/staff/users",
        data={"csrf_token": csrf, "username": "lan", "password": PASSWORD, "role": "viewer"},
    )
    assert again.status_code == 409
    await token(client, "lan")
    forged = await client.post(
        "/staff/users", data={"username": "x", "password": PASSWORD, "role": "viewer"}
    )
    assert forged.status_code == 403

    # Change a role.
    role = await client.post(
        "/staff/users/change", data={"csrf_token": csrf, "username": "lan", "role": "editor"}
    )
    assert role.status_code == 303
    assert 'data-username="lan" data-role="editor"' in (await client.get("/staff/users")).text

    # Deactivate: the account's sessions end, it cannot log in; reactivate: it can again,
    # but the old token stays dead.
    assert (await client.get("/staff/api/me", headers=editor_token)).status_code == 200
    off = await client.post(
        "/staff/users/change", data={"csrf_token": csrf, "username": "ed", "active": "0"}
    )
    assert off.status_code == 303
    assert "Đã khoá tài khoản" in (await client.get(off.headers["location"])).text
    assert (await client.get("/staff/api/me", headers=editor_token)).status_code == 401
    refused = await client.post("/staff/api/login", json={"username": "ed", "password": PASSWORD})
    assert refused.status_code == 401
    on = await client.post(
        "/staff/users/change", data={"csrf_token": csrf, "username": "ed", "active": "1"}
    )
    assert on.status_code == 303
    assert (await client.get("/staff/api/me", headers=editor_token)).status_code == 401
    await token(client, "ed")

    # An admin cannot demote or deactivate themselves.
    for change in ({"role": "editor"}, {"active": "0"}):
        own = await client.post(
            "/staff/users/change", data={"csrf_token": csrf, "username": "admin", **change}
        )
        assert own.status_code == 409 and "của chính mình" in own.text
    unknown = await client.post(
        "/staff/users/change", data={"csrf_token": csrf, "username": "nobody", "role": "viewer"}
    )
    assert unknown.status_code == 404

    # Every change is audited: who, what, before → after.
    entries = await audit(client, "user")
    mine = [(e["action"], e["entity_id"], e["before"], e["after"]) for e in entries[:4]]
    assert mine == [
        (
            "reactivate",
            "ed",
            {"role": "editor", "active": False},
            {"role": "editor", "active": True},
        ),
        (
            "deactivate",
            "ed",
            {"role": "editor", "active": True},
            {"role": "editor", "active": False},
        ),
        ("set_role", "lan", {"role": "viewer", "active": True}, {"role": "editor", "active": True}),
        ("create", "lan", None, {"username": "lan", "role": "viewer"}),
    ]
    assert all(e["actor"] == "admin" for e in entries[:4])


async def test_editors_viewers_and_anonymous_users_cannot_manage_accounts(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/staff/users")).headers["location"] == "/staff/login"
    assert (await client.get("/staff/api/users")).status_code == 401
    assert (await client.patch("/staff/api/users/ed", json={"role": "viewer"})).status_code == 401
    for name in ("ed", "view"):
        headers = await token(client, name)
        assert (await client.get("/staff/api/users", headers=headers)).status_code == 403
        patched = await client.patch(
            "/staff/api/users/ed2", json={"role": "admin"}, headers=headers
        )
        assert patched.status_code == 403
        csrf = await form_login(client, name)
        overview = (await client.get("/staff")).text
        assert 'href="/staff/users"' not in overview
        assert 'href="/staff/corrections"' in overview  # viewers read the corrections
        page = await client.get("/staff/users")
        assert page.status_code == 403 and "Chỉ quản trị viên" in page.text
        assert 'id="new-user"' not in page.text
        created = await client.post(
            "/staff/users",
            data={"csrf_token": csrf, "username": "x", "password": PASSWORD, "role": "admin"},
        )
        assert created.status_code == 403
        changed = await client.post(
            "/staff/users/change", data={"csrf_token": csrf, "username": "ed2", "role": "admin"}
        )
        assert changed.status_code == 403
    admin = await token(client, "admin")
    users = (await client.get("/staff/api/users", headers=admin)).json()
    assert {u["username"]: u["role"] for u in users}["ed2"] == "editor"  # nothing changed


async def test_the_users_api_lists_and_changes_accounts(client: httpx.AsyncClient) -> None:
    admin, viewer = await token(client, "admin"), await token(client, "view")
    users = (await client.get("/staff/api/users", headers=admin)).json()
    assert {"username": "view", "role": "viewer", "active": True} in users
    promoted = await client.patch("/staff/api/users/view", json={"role": "editor"}, headers=admin)
    assert promoted.status_code == 200
    assert promoted.json() == {"username": "view", "role": "editor", "active": True}
    # The role applies at once to the account's open sessions.
    created = await client.post("/staff/api/faqs", json=FAQ, headers=viewer)
    assert created.status_code == 201
    off = await client.patch("/staff/api/users/view", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await client.get("/staff/api/me", headers=viewer)).status_code == 401
    both = await client.patch(
        "/staff/api/users/view", json={"active": True, "role": "viewer"}, headers=admin
    )
    assert both.json() == {"username": "view", "role": "viewer", "active": True}
    same = await client.patch("/staff/api/users/view", json={}, headers=admin)
    assert same.status_code == 200
    own = await client.patch("/staff/api/users/admin", json={"active": False}, headers=admin)
    assert own.status_code == 409 and own.json()["error"]["code"] == "refused"
    assert (
        await client.patch("/staff/api/users/nobody", json={}, headers=admin)
    ).status_code == 404
    bad = await client.patch("/staff/api/users/view", json={"role": "root"}, headers=admin)
    assert bad.status_code == 422
    actions = [e["action"] for e in await audit(client, "user")][:3]
    assert actions == ["update", "deactivate", "set_role"]  # the empty change wrote nothing


async def test_the_last_active_admin_cannot_be_removed(staff_env: StaffEnv) -> None:
    accounts = StaffAccounts(staff_env.store)
    with pytest.raises(AccountRefused, match="ít nhất một quản trị viên"):
        accounts.update("admin", role="editor", actor="cli")
    with pytest.raises(AccountRefused):
        accounts.update("admin", active=False, actor="cli")
    accounts.create("boss", PASSWORD, "admin", actor="admin")
    accounts.update("boss", active=False, actor="admin")  # inactive admins do not count
    with pytest.raises(AccountRefused):
        accounts.update("admin", active=False, actor="cli")
    accounts.update("boss", active=True, actor="admin")
    assert accounts.update("admin", role="editor", actor="boss").role == "editor"
    with pytest.raises(AccountRefused):
        accounts.update("boss", role="viewer", actor="admin")  # admin is an editor now


# -- local corrections ----------------------------------------------------------------------


async def test_editors_set_local_corrections_on_their_page(
    client: httpx.AsyncClient, staff_env: StaffEnv
) -> None:
    code = staff_env.assistant.catalogue.procedures()[0].code
    csrf = await form_login(client, "ed")
    page = await client.get("/staff/corrections")
    assert page.status_code == 200 and 'id="correction-form"' in page.text
    assert "Chưa có" in page.text
    for field in ("fee", "office_address", "office_hours", "hotline"):
        assert f'<option value="{field}"' in page.text
    fee = "Miễn lệ phí (Nghị quyết HĐND tỉnh)"
    form = {"csrf_token": csrf, "code": code, "field": "fee", "value": fee, "version": "0"}
    saved = await client.post("/staff/corrections", data=form)
    assert saved.status_code == 303
    listed = await client.get(saved.headers["location"])
    assert "Đã lưu thông tin địa phương" in listed.text
    assert f'data-code="{code}" data-field="fee" data-version="1"' in listed.text
    assert fee in listed.text and "<td>ed</td>" in listed.text
    # A stale version (a colleague saved meanwhile): the 409 message on the page, the
    # typed value kept.
    stale = await client.post("/staff/corrections", data={**form, "value": "Khác"})
    assert stale.status_code == 409 and "hãy tải lại" in stale.text
    assert "Khác</textarea>" in stale.text
    unknown = await client.post("/staff/corrections", data={**form, "code": "no-such-code"})
    assert unknown.status_code == 404 and "Không có thủ tục mã" in unknown.text
    bad_field = await client.post("/staff/corrections", data={**form, "field": "name"})
    assert bad_field.status_code == 400 and "Trường sửa không hợp lệ" in bad_field.text
    forged = await client.post("/staff/corrections", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    # Edit: the form comes filled with the current value and its version.
    edit = await client.get("/staff/corrections", params={"code": code, "field": "fee"})
    assert 'name="version" value="1"' in edit.text and f"{fee}</textarea>" in edit.text
    changed = await client.post(
        "/staff/corrections", data={**form, "value": "50.000 đồng", "version": "1"}
    )
    assert changed.status_code == 303
    api = (await client.get(f"/staff/api/corrections?code={code}")).json()
    assert api == [
        {
            "procedure_code": code,
            "field": "fee",
            "value": "50.000 đồng",
            "version": 2,
            "updated_by": "ed",
        }
    ]
    removed = await client.post("/staff/corrections", data={**form, "value": "", "version": "2"})
    assert removed.status_code == 303
    assert (await client.get(f"/staff/api/corrections?code={code}")).json() == []
    actions = [e["action"] for e in await audit(client, "correction")][:3]
    assert actions == ["delete", "update", "create"]


async def test_viewers_read_the_corrections_but_cannot_change_them(
    client: httpx.AsyncClient, staff_env: StaffEnv
) -> None:
    code = staff_env.assistant.catalogue.procedures()[0].code
    staff_env.store.set_correction(code, "hotline", "1900 1234", 0, actor="ed")
    assert (await client.get("/staff/corrections")).headers["location"] == "/staff/login"
    csrf = await form_login(client, "view")
    page = await client.get("/staff/corrections")
    assert page.status_code == 200 and "1900 1234" in page.text
    assert 'id="correction-form"' not in page.text and "Sửa / edit" not in page.text
    refused = await client.post(
        "/staff/corrections",
        data={"csrf_token": csrf, "code": code, "field": "hotline", "value": "x", "version": "1"},
    )
    assert refused.status_code == 403 and "Cần quyền biên tập" in refused.text
    assert staff_env.store.corrections(code)[0].value == "1900 1234"


# -- the overview's retire button -------------------------------------------------------------


async def test_an_approved_faq_is_retired_from_the_overview(client: httpx.AsyncClient) -> None:
    editor = await token(client, "ed")
    faq = (await client.post("/staff/api/faqs", json=FAQ, headers=editor)).json()
    draft = (
        await client.post("/staff/api/faqs", json={**FAQ, "questions": ["Khác?"]}, headers=editor)
    ).json()
    approved = await client.post(
        f"/staff/api/faqs/{faq['id']}/approve", json={"version": 1}, headers=editor
    )
    assert approved.status_code == 200
    await form_login(client, "view")
    assert "Ngừng / Retire" not in (await client.get("/staff")).text  # viewers: no button
    csrf = await form_login(client, "ed")
    overview = (await client.get("/staff")).text
    assert f'action="/staff/faqs/{faq["id"]}/retire"' in overview
    assert f'action="/staff/faqs/{draft["id"]}/retire"' not in overview  # only approved ones
    forged = await client.post(f"/staff/faqs/{faq['id']}/retire", data={"version": "2"})
    assert forged.status_code == 403
    stale = await client.post(
        f"/staff/faqs/{faq['id']}/retire", data={"csrf_token": csrf, "version": "1"}
    )
    assert stale.status_code == 303
    assert "tải lại" in (await client.get(stale.headers["location"])).text
    retired = await client.post(
        f"/staff/faqs/{faq['id']}/retire", data={"csrf_token": csrf, "version": "2"}
    )
    assert retired.status_code == 303
    shown = await client.get(retired.headers["location"])
    assert "Đã ngừng / retired" in shown.text
    assert (await client.get(f"/staff/api/faqs/{faq['id']}")).json()["status"] == "retired"
    entries = await audit(client, "faq")
    assert entries[0]["action"] == "retire" and entries[0]["actor"] == "ed"
