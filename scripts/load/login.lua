-- wrk script: POST /anmelden with a fixed CSRF pair (double submit: the cookie
-- kimo_anmeldung must equal the form field csrf), so every request is a full login.
--
--   KIMO_NAME=last.test KIMO_PASSWORD=xxxx-xxxx-xxxx-xxxx \
--     wrk -t2 -c8 -d20s --latency -s scripts/load/login.lua http://127.0.0.1:8099
--
-- A correct password answers 303 (Argon2id check + a new session row); a wrong one 401,
-- and after three failures per account (or twelve per address) within 15 minutes the
-- server waits 1, 2, 4 … up to 30 s before answering: give wrk a --timeout above 30 s then.
-- At the end the answers are counted by status.

local name = os.getenv("KIMO_NAME") or "last.test"
local password = os.getenv("KIMO_PASSWORD") or error("KIMO_PASSWORD is not set")
local token = "abc123"

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.path = "/anmelden"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "kimo_anmeldung=" .. token
wrk.body = "name=" .. urlencode(name) .. "&passwort=" .. urlencode(password) .. "&csrf=" .. token

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      total[code] = (total[code] or 0) + n
    end
  end
  local codes = {}
  for code in pairs(total) do table.insert(codes, code) end
  table.sort(codes)
  for _, code in ipairs(codes) do
    io.write(string.format("  status %d: %d\n", code, total[code]))
  end
end
