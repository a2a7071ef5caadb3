-- wrk script: PUT /v1/me/state round-robin over the seeded members, each with the If-Match
-- version the server last reported for it (from 200 and 412 bodies), so nearly every request
-- is a real write. Reads "token member_id" lines from $TOKENS; each wrk thread takes its own
-- share of the members so two threads never race on one member's version.
local tokens, members, versions = {}, {}, {}
local next_index = 0
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local threads = tonumber(os.getenv("THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("TOKENS")) do
    local token, member = line:match("(%S+)%s+(%S+)")
    if n % threads == thread_index then
      tokens[#tokens + 1] = token
      members[#members + 1] = member
      versions[member] = 1
    end
    n = n + 1
  end
end

-- With AWAY_EVERY_OTHER set, a member's writes alternate offline and online, so every write
-- is a team event (offline, back) the webhook outbox records.
local away_every_other = os.getenv("AWAY_EVERY_OTHER") ~= nil
local function body(version)
  local status = (away_every_other and version % 2 == 0) and "offline" or "online"
  return '{"status":"' .. status .. '","headline":"Benchmark write","timezone":"UTC",' ..
    '"items":[{"url":"https://github.com/acme/api/pull/1","state":"in_progress"}]}'
end

function request()
  next_index = next_index % #tokens + 1
  local member = members[next_index]
  return wrk.format("PUT", "/v1/me/state", {
    ["Authorization"] = "Bearer " .. tokens[next_index],
    ["Content-Type"] = "application/json",
    ["If-Match"] = tostring(versions[member]),
  }, body(versions[member]))
end

function response(status, headers, body)
  local member, version = body:match('"member_id":"([^"]+)","version":(%d+)')
  if member then
    versions[member] = tonumber(version)
  end
end
