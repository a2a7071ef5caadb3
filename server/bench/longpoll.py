#!/usr/bin/env python3
"""Holds N concurrent long polls (GET /v1/team/changes?wait=25), prints the server's RSS while
they are held, then makes one write and times how long until every poll has its answer.

    longpoll.py HOST:PORT PID tokens.txt N
"""
import asyncio
import json
import sys
import time

host, port = sys.argv[1].split(":")
pid = int(sys.argv[2])
tokens = [line.split()[0] for line in open(sys.argv[3]) if line.strip()]
n = int(sys.argv[4])


def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


async def request(method, path, token, body=None, if_match=None):
    reader, writer = await asyncio.open_connection(host, int(port))
    data = json.dumps(body) if body is not None else ""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    head += f"Authorization: Bearer {token}\r\n"
    if if_match is not None:
        head += f"If-Match: {if_match}\r\n"
    if data:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    writer.write((head + "\r\n" + data).encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    return status, raw.split(b"\r\n\r\n", 1)[1]


async def main():
    # Writes still finishing from an earlier load (they complete even when wrk hung up) would
    # answer the polls at once: wait until the cursor stands still.
    cursor = None
    while True:
        status, body = await request("GET", "/v1/team/changes", tokens[0])
        now = json.loads(body)["cursor"]
        if now == cursor:
            break
        cursor = now
        await asyncio.sleep(1)
    before = rss_kib()
    answered = []

    async def poll(token):
        status, _ = await request("GET", f"/v1/team/changes?after={cursor}&wait=25", token)
        answered.append((status, time.monotonic()))

    polls = [asyncio.create_task(poll(tokens[i % len(tokens)])) for i in range(n)]
    await asyncio.sleep(3)  # all connected and parked
    held = rss_kib()
    pending = sum(1 for p in polls if not p.done())
    _, me = await request("GET", "/v1/me", tokens[0])
    version = json.loads(me)["state"]["version"]
    start = time.monotonic()
    status, _ = await request("PUT", "/v1/me/state", tokens[0],
                              {"status": "online", "headline": "wake everyone", "timezone": "UTC"},
                              if_match=version)
    await asyncio.gather(*polls)
    last = max(t for _, t in answered) - start
    ok = sum(1 for s, _ in answered if s == 200)
    print(f"long polls held: {pending}/{n}; server RSS {before / 1024:.1f} MiB idle -> "
          f"{held / 1024:.1f} MiB holding them ({(held - before) / n:.1f} KiB per poll)")
    print(f"one write (HTTP {status}) answered all {ok}/{n} polls within {last * 1000:.0f} ms")


asyncio.run(main())
