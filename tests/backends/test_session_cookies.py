"""The cookies a server sets go with the requests they apply to, as http.cookiejar decides,
whether the header is worked out once (every cookie ``Path=/``) or per request."""

from __future__ import annotations

import httpx

from streamconsole.backends.session_cookies import SessionCookies

BASE = "https://ams.example:5443"


def sent(cookies: SessionCookies, path: str) -> str | None:
    return cookies.header(BASE + path)


def served(cookies: SessionCookies, *set_cookie: str) -> None:
    request = httpx.Request("POST", BASE + "/rest/v2/users/authenticate")
    response = httpx.Response(200, headers=[("set-cookie", value) for value in set_cookie])
    cookies.take_from(response, request)


def test_nothing_before_the_server_sets_a_cookie() -> None:
    cookies = SessionCookies()
    served(cookies)  # a reply without Set-Cookie
    assert sent(cookies, "/rest/v2/applications") is None


def test_a_session_goes_with_every_path_and_a_new_one_replaces_it() -> None:
    cookies = SessionCookies()
    served(cookies, "JSESSIONID=first; Path=/; HttpOnly")
    paths = ("/rest/v2/applications", "/rest/v2/applications/settings/A", "/LiveApp/rest/v2/x")
    assert [sent(cookies, path) for path in paths] == ["JSESSIONID=first"] * 3
    served(cookies, "JSESSIONID=second; Path=/; HttpOnly")  # a login again
    assert [sent(cookies, path) for path in paths] == ["JSESSIONID=second"] * 3
    served(cookies, "JSESSIONID=gone; Path=/; Max-Age=0")  # the server ends it
    assert sent(cookies, "/rest/v2/applications") is None


def test_a_cookie_for_one_path_goes_only_there() -> None:
    cookies = SessionCookies()
    served(cookies, "JSESSIONID=root; Path=/", "APPSESSION=live; Path=/LiveApp")
    assert sent(cookies, "/rest/v2/applications") == "JSESSIONID=root"
    assert sent(cookies, "/LiveApp/rest/v2/broadcasts/list/0/50") == (
        "APPSESSION=live; JSESSIONID=root"
    )
    assert sent(cookies, "/rest/v2/applications/settings/A") == "JSESSIONID=root"
    assert sent(cookies, "/LiveAppOther/rest") == "JSESSIONID=root"


def test_a_secure_cookie_never_goes_over_plain_http() -> None:
    cookies = SessionCookies()
    served(cookies, "JSESSIONID=s; Path=/; Secure")
    assert cookies.header("http://ams.example:5443/rest/v2/applications") is None
