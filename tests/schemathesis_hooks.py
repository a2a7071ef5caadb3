"""Hooks for tests/schemathesis.sh.

A few of the server's rules cannot be said in JSON Schema: a back-at or expiry lies ahead of
the server's clock, an emoji is one emoji, a hand-off or cover names a teammate, working hours
end at another time than they start, and a write names the version it replaces. The document
says them in words (docs/server.md); here each generated value of those fields that fits the
schema is replaced by one that also fits the rule, in the cases generated to fit the schema, so
the positive_data_acceptance check holds the server to everything else. Negative cases are left
as generated.

Two operations need data no generator can guess: a join redeems one of the spare invite codes
tests/schemathesis.sh made, and an acknowledgement names a hand-off the member declared to
themselves (the hooks make every schema-valid cover and hand-off name them), so both reach 200
and their answers are checked against the document too.
"""

import datetime
import json
import os
import re
import urllib.request

import schemathesis

BASE = os.environ["ST_BASE_URL"]
TOKEN = os.environ["ST_TOKEN"]
# The fuzzing member's id: never changes, however PATCH /v1/me renames them.
MEMBER = os.environ["ST_MEMBER_ID"]
VERSION = re.compile(r'^("[0-9]{1,19}"|[0-9]{1,19})$')
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


with open(os.environ["ST_INVITES"], encoding="utf-8") as codes:
    INVITES = codes.read().split()


def own_state():
    request = urllib.request.Request(f"{BASE}/v1/me", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["state"]


def fit_ack(body):
    """Names a hand-off of the member's own declaration, if it has one."""
    recipients = own_state().get("recipients") or []
    if isinstance(body.get("member_id"), str) and recipients:
        body["member_id"] = MEMBER
        if recipients[0].get("item") is None:
            body.pop("item", None)
        else:
            body["item"] = recipients[0]["item"]


def fit_declaration(body):
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    for key in ("back_at", "expires_at"):
        if isinstance(body.get(key), str) and DATE_TIME.match(body[key]):
            body[key] = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(body.get("emoji"), str) and 1 <= len(body["emoji"]) <= 64:
        body["emoji"] = "\N{ROCKET}"
    if isinstance(body.get("cover"), str) and body["cover"].strip():
        body["cover"] = MEMBER
    for item in body.get("items") or []:
        if isinstance(item, dict):
            if isinstance(item.get("handoff_to"), str) and item["handoff_to"].strip():
                item["handoff_to"] = MEMBER
            ref = item.get("canonical_ref")
            if isinstance(ref, str) and len(ref.encode()) > 512:
                # The limit is 512 bytes; the schema's maxLength counts characters.
                item["canonical_ref"] = ref.encode()[:512].decode(errors="ignore")


def fit_working_hours(body):
    hours = body.get("working_hours")
    if isinstance(hours, dict) and isinstance(hours.get("start"), str) and hours["start"] == hours.get("end"):
        hours["end"] = "00:01" if hours["start"] == "00:00" else "00:00"


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.meta is None or case.meta.generation.mode.is_negative:
        return
    operation = (case.operation.method.upper(), case.operation.path)
    if isinstance(case.body, dict):
        body = json.loads(json.dumps(case.body))
        if operation == ("PUT", "/v1/me/state"):
            fit_declaration(body)
        elif operation == ("POST", "/v1/team/acks"):
            fit_ack(body)
        elif operation == ("POST", "/v1/join") and isinstance(body.get("invite"), str) and INVITES:
            body["invite"] = INVITES.pop()
        fit_working_hours(body)
        if body != case.body:
            case.body = body
    if operation in (("PUT", "/v1/me/state"), ("DELETE", "/v1/me/state")):
        headers = case.headers or {}
        if VERSION.match(str(headers.get("If-Match", ""))):
            headers["If-Match"] = str(own_state()["version"])
            case.headers = headers
