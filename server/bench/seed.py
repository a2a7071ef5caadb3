#!/usr/bin/env python3
"""Seeds a benchmark team through the HTTP API: joins every invite code read from stdin and
declares a realistic state for each member. Prints "token member_id" lines for wrk's scripts.

    seed.py HOST:PORT < codes.txt > tokens.txt
"""
import http.client
import json
import sys

host = sys.argv[1]
conn = http.client.HTTPConnection(host, timeout=30)


def call(method, path, body=None, token=None, if_match=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if if_match is not None:
        headers["If-Match"] = str(if_match)
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        sys.exit(f"seed: {method} {path} -> {resp.status} {data[:200]!r}")
    return json.loads(data)


zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
for i, code in enumerate(line.strip() for line in sys.stdin):
    if not code:
        continue
    joined = call("POST", "/v1/join", {
        "invite": code,
        "display_name": f"Member {i:04d}",
        "handles": {"github": f"member-{i}", "jira": f"Member {i}"},
        "timezone": zones[i % len(zones)],
    })
    token, member = joined["token"], joined["member"]["id"]
    # A typical end-of-day declaration: a headline, a note, two items, one handed off to the
    # member who joined before (a hand-off must name a member of the team).
    review = {"url": f"https://github.com/acme/api/pull/{1000 + i}",
              "canonical_ref": f"github.com/acme/api/pull/{1000 + i}",
              "title": "Retry failed payment webhooks with backoff",
              "state": "needs_review"}
    if i > 0:
        review["handoff_to"] = f"member-{i - 1}"
    call("PUT", "/v1/me/state", {
        "status": ["online", "focus", "away", "offline", "ooo"][i % 5],
        "headline": f"Wrapping up the payment retries, PR {1000 + i} ready for review",
        "note": "Tests are green locally; CI flaked once on the migration job, re-running.",
        "items": [
            review,
            {"url": f"https://acme.atlassian.net/browse/PAY-{200 + i}",
             "canonical_ref": f"acme.atlassian.net/browse/PAY-{200 + i}",
             "title": "Document the retry policy", "state": "in_progress"},
        ],
        "timezone": zones[i % len(zones)],
    }, token=token, if_match=0)
    print(token, member)
