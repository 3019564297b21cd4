-- Argo CD health check for every Migrascope kind (MigrationExperiment, MigrationCampaign,
-- MigrationSchedule, XenPool, WorkloadProfile). One script serves them all because the controller writes the same
-- conditions on each: Ready, and kstatus's Reconciling / Stalled (docs/controller.md). It reads
-- them as Flux and kpt do, so Argo CD, Flux and kpt agree on every object:
--   Progressing  the controller has not seen this generation yet, or work is under way
--                (an experiment or campaign running, a pool being retried)
--   Degraded     Stalled: failed, aborted on an SLA breach, or cannot start (an invalid spec,
--                a missing pool, Secret or profile); the message says why
--   Suspended    a MigrationSchedule with spec.suspend (as Argo CD shows a suspended CronJob)
--   Healthy      Ready: an experiment or campaign that succeeded, a pool logged in, a profile
--                that compiles, a schedule keeping time
-- Argo CD runs custom health scripts without Lua's standard libraries (no string, no math):
-- only the base and table functions are used here.
-- deploy/argocd/argocd-cm.yaml carries this file under one key per kind
-- (node scripts/sync-chart.ts writes it); edit this file, never that one.

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, found in ipairs(obj.status.conditions) do
    if found.type == conditionType then
      return found
    end
  end
  return nil
end

-- "Migrating: run 1 of 5: migration 1 of 1": the phase first, where the kind has one.
local function described(found, fallback)
  local message = fallback
  if found ~= nil and found.message ~= nil and found.message ~= "" then
    message = found.message
  end
  if obj.status.phase ~= nil then
    return obj.status.phase .. ": " .. message
  end
  return message
end

local function health(code, message)
  return { status = code, message = message }
end

local status = obj.status
local generation = obj.metadata.generation
if status == nil or status.observedGeneration == nil then
  return health("Progressing", "waiting for the Migrascope controller to look at it")
end
if generation ~= nil and status.observedGeneration < generation then
  return health("Progressing", "waiting for the Migrascope controller to see generation " .. generation)
end
local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  return health("Degraded", described(stalled, "stalled"))
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" and ready.reason == "Suspended" then
  return health("Suspended", described(ready, "suspended"))
end
if ready ~= nil and ready.status == "True" then
  return health("Healthy", described(ready, "ready"))
end
return health("Progressing", described(condition("Reconciling"), "in progress"))
