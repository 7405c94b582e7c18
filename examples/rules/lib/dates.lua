-- lib/dates.lua: date arithmetic on top of the host helper unix_time(iso).
--
-- unix_time("2026-05-20T12:00:00Z") returns integer Unix seconds, or nil when the
-- string is missing or unparseable. Every function here tolerates nil.

local M = {}

M.HOUR = 3600
M.DAY = 86400

-- Unix seconds of an ISO 8601 string, or nil ("" and nil are both "unknown").
function M.at(iso)
  if type(iso) ~= "string" or iso == "" then return nil end
  return unix_time(iso)
end

-- Whole days from `from` to `to` (both Unix seconds), rounded down; nil if either is unknown.
function M.days_between(from, to)
  if from == nil or to == nil then return nil end
  return (to - from) // M.DAY
end

-- Whole hours from `from` to `to`, rounded down; nil if either is unknown.
function M.hours_between(from, to)
  if from == nil or to == nil then return nil end
  return (to - from) // M.HOUR
end

-- Best guess of when a posting reached the buyer, in Unix seconds, or nil.
--   1. fact_delivery_date: only in /v3/posting/fbs/get;
--   2. analytics_data.delivery_date_end: the end of the promised delivery window
--      (present when the posting was fetched with analytics_data).
function M.delivered_at(posting)
  if posting == nil then return nil end
  local t = M.at(posting.fact_delivery_date)
  if t then return t end
  local analytics = posting.analytics_data
  if analytics then
    return M.at(analytics.delivery_date_end)
  end
  return nil
end

return M
