-- wrk script: POST /v1/join, each with a fresh made-up invite code: a flood of bad codes. The
-- bench's server runs with --address-rate-limit 0, so every one reaches the database, as a
-- flood from many addresses would. FLOOD_DELAY_MS paces each connection (0: as fast as it can).
math.randomseed(os.time())
local pause = tonumber(os.getenv("FLOOD_DELAY_MS") or "0")

function request()
  local code = string.format("inv_%08x%08x%08x%08x", math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  return wrk.format("POST", "/v1/join", { ["Content-Type"] = "application/json" },
    '{"invite":"' .. code .. '","display_name":"Flood","timezone":"UTC"}')
end

if pause > 0 then
  function delay()
    return pause
  end
end
