"""``probe`` on several servers at once (issue 16): two Ant Media emulators and a THEOlive
one, with a server that is down; enforcement on at one server and off at another, a key
changed behind the console's back, and every request from a fresh client."""

from __future__ import annotations

import json

from tests.cli.conftest import Fleet, free_port

OTHER_SECRET = "another-admin-rotated-this-secret-0123456789"
HLS = "/WebRTCAppEE/streams/*"


def words(lines: list[str], first: str) -> list[str]:
    """The words of the line that starts with ``first``."""
    return next(line.split() for line in lines if line.split()[:1] == [first])


def test_each_servers_table_under_its_name_then_a_line_per_server(fleet: Fleet) -> None:
    fleet.us.state.update_settings("WebRTCAppEE", playJwtControlEnabled=False)
    probed = fleet.run("probe", "WebRTCAppEE", "--type", "play", "--all-servers")
    assert probed.returncode == 3  # down could not be read; the others are as configured
    groups = probed.stdout.split("\n\n")[0].split("[")[1:]
    assert [group.split("]")[0] for group in groups] == ["eu", "us", "theo", "down"]
    eu, us, theo, down = (group.splitlines() for group in groups)
    assert words(eu, "WebRTCAppEE")[:6] == ["WebRTCAppEE", "play", "enforced", "403", "404", "403"]
    assert "enforced as configured" in eu[-1]
    assert words(us, "WebRTCAppEE")[:6] == ["WebRTCAppEE", "play", "off", "404", "404", "404"]
    assert "not enforced, as configured" in us[-1]
    assert theo[1].startswith("  not probed: no application named 'WebRTCAppEE'")
    assert down[1].startswith("  not read: ") and "cannot connect" in down[1]

    summary = probed.stdout.split("\n\n")[1].splitlines()
    assert summary[0].split() == [
        *("SERVER", "OUTCOME", "AS", "CONFIGURED", "MISMATCH", "INCONCLUSIVE"),
        *("NOT", "PROBED", "ERROR"),
    ]
    assert [line.split()[:7] for line in summary[1:]] == [
        ["eu", "as", "configured", "1", "0", "0", "0"],
        ["us", "as", "configured", "1", "0", "0", "0"],
        ["theo", "not", "probed", "-", "-", "-", "-"],
        ["down", "not", "read", "-", "-", "-", "-"],
    ]
    assert "error: server theo: no application named 'WebRTCAppEE'" in probed.stderr
    assert "error: server down: " in probed.stderr
    assert "Traceback" not in probed.stderr


def test_json_names_the_server_and_a_mismatch_outranks_a_down_server(fleet: Fleet) -> None:
    fleet.us.edit_after_next_get("WebRTCAppEE", jwtStreamSecretKey=OTHER_SECRET)
    probed = fleet.run(
        "probe", "WebRTCAppEE", "--type", "play", "--server", "eu", "--server", "us",
        "--server", "down", "--json",
    )  # fmt: skip
    assert probed.returncode == 1, probed.stderr  # as one server's: a mismatch first
    eu, us, down = json.loads(probed.stdout)
    assert (eu["server"], eu["outcome"], eu["error"]) == ("eu", "as configured", None)
    assert (us["server"], us["outcome"]) == ("us", "mismatch")
    [play] = us["results"]
    assert play["server"] == "us"  # rows name their server too, for a flattened list
    assert play["verdict"] == "valid tokens refused (key mismatch?)"
    assert [answer["status"] for answer in play["answers"].values()] == [403, 403, 403]
    assert (down["outcome"], down["results"]) == ("inconclusive", [])
    assert "cannot connect" in down["error"]


def test_a_scope_on_one_kind_of_server_is_probed_there_and_not_probed_elsewhere(
    fleet: Fleet,
) -> None:
    probed = fleet.run("probe", "sports", "--server", "eu", "--server", "theo", "--json")
    assert probed.returncode == 0, probed.stdout + probed.stderr
    eu, theo = json.loads(probed.stdout)
    assert (eu["outcome"], eu["results"]) == ("not probed", [])
    assert "no application named 'sports'" in eu["error"]
    assert theo["outcome"] == "as configured"
    scopes = {row["scope"] for row in theo["results"]}
    assert scopes == {"sports/sports-main", "sports/sports-backup"}
    assert len(fleet.theo.deliveries) == 4  # no token and wrong key, per alias
    assert all(d.target.startswith("/play/sports-") for d in fleet.theo.deliveries)

    servers = ("--server", "eu", "--server", "us")
    publish = fleet.run("probe", "WebRTCAppEE", "--type", "publish", *servers)
    assert publish.returncode == 2  # nothing anywhere could be probed over HTTP
    assert "nothing could be probed over HTTP" in publish.stderr


def test_every_request_comes_from_a_fresh_client_with_no_credentials_or_environment(
    fleet: Fleet,
) -> None:
    """Both Ant Media servers let a validated session play on without a token (issue 7254),
    and the environment names a proxy that nothing listens on: a probe that kept cookies
    would see the request without a token served; one that took the proxy, no answer."""
    dead = f"http://127.0.0.1:{free_port()}"
    proxies = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"), dead)
    for server in (fleet.eu, fleet.us):
        server.state.remembers_play_sessions = True
    probed = fleet.run(
        "probe", "WebRTCAppEE/room-101", "--type", "play", "--server", "eu", "--server", "us",
        "--json", env=proxies,
    )  # fmt: skip
    assert probed.returncode == 0, probed.stdout + probed.stderr
    for record in json.loads(probed.stdout):
        [play] = record["results"]
        statuses = [answer["status"] for answer in play["answers"].values()]
        assert statuses == [403, 200, 403], record["server"]
    for server in (fleet.eu, fleet.us):
        assert server.state.play_sessions  # the valid request did open a session
        assert len(server.deliveries) == 3
        admin = [server.admin_password, *server.state.sessions]
        for delivery in server.deliveries:
            names = {name.lower() for name, _ in delivery.headers}
            assert not names & {"cookie", "authorization", "proxyauthorization"}
            assert not any(secret in delivery.text for secret in admin)


def test_jobs_bounds_how_many_servers_are_probed_at_once(fleet: Fleet) -> None:
    """With --jobs 1, us is not asked anything until eu's probe is over."""
    seen_at_eu: list[int] = []
    fleet.eu.faults.after(HLS, lambda: seen_at_eu.append(len(fleet.us.log.records)), times=None)
    probed = fleet.run(
        "probe", "WebRTCAppEE", "--type", "play", "--server", "eu", "--server", "us",
        "--jobs", "1",
    )  # fmt: skip
    assert probed.returncode == 0, probed.stdout + probed.stderr
    assert seen_at_eu == [0, 0, 0]
    assert len(fleet.us.deliveries) == 3


def test_one_server_prints_as_before(fleet: Fleet) -> None:
    probed = fleet.run("probe", "WebRTCAppEE", "--type", "play", "--server", "eu", "--json")
    assert probed.returncode == 0, probed.stderr
    report = json.loads(probed.stdout)
    assert set(report) == {"server", "outcome", "results"}
    assert "server" not in report["results"][0]
    unknown = fleet.run("probe", "WebRTCAppEE", "--server", "eu", "--server", "nowhere")
    assert unknown.returncode == 2
    assert "no server named 'nowhere'" in unknown.stderr
    assert len(fleet.eu.deliveries) == 3  # the first probe's: none for the refused one
