"""Hooks for tests/schemathesis.sh.

A few of the server's rules cannot be said in JSON Schema: a back-at or expiry lies ahead of
the server's clock, an emoji is one emoji, a hand-off or cover names a teammate, working hours
end at another time than they start, and a write names the version it replaces. The document
says them in words (docs/server.md); here each generated value of those fields that fits the
schema is replaced by one that also fits the rule, in the cases generated to fit the schema, so
the positive_data_acceptance check holds the server to everything else. Negative cases are left
as generated.

Negative cases are left as generated but for one thing: JSON Schema's maxLength counts code
points, the server counts what a user sees (grapheme clusters, docs/architecture.md). A string
that violates maxLength by code points can still be within the server's limit when clusters of
several code points make it up (an emoji with a skin tone, a letter with a combining accent), and
the server rightly accepts it. So in a negative case every string longer than any maxLength its
property name has is made plain ASCII of the same length: it violates maxLength exactly as
generated, and its clusters are its code points, so the server sees it over the limit too.

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


def text_limits():
    """Each string property's largest maxLength in the document, by property name."""
    with urllib.request.urlopen(f"{BASE}/openapi.json", timeout=10) as response:
        doc = json.load(response)
    limits = {}

    def walk(node):
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if isinstance(prop, dict) and isinstance(prop.get("maxLength"), int):
                    limits[name] = max(limits.get(name, 0), prop["maxLength"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return limits


TEXT_LIMITS = text_limits()


def plain_over_limit(value):
    """Strings over their property's maxLength made ASCII of the same length (module docstring)."""
    if isinstance(value, list):
        return [plain_over_limit(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        limit = TEXT_LIMITS.get(key)
        if isinstance(v, str) and limit is not None and len(v) > limit:
            v = "".join(c if " " <= c <= "~" else "x" for c in v)
        out[key] = plain_over_limit(v)
    return out


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
    if case.meta is None:
        return
    if case.meta.generation.mode.is_negative:
        if isinstance(case.body, (dict, list)):
            body = plain_over_limit(case.body)
            if body != case.body:
                case.body = body
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
