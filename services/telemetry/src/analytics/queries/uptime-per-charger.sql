-- Connected time per charger: each lifecycle event once (by session and type), ordered by versionNumber then
-- receive time; a connected event counts until the next event. Parameters: from day, to day, charger.
WITH events AS (
  SELECT chargerid, sessionidentifier, eventtype,
    MIN(versionnumber) AS versionnumber, MIN(receivedat) AS receivedat
  FROM archive
  WHERE kind IN ('connected', 'disconnected')
    AND day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
  GROUP BY chargerid, sessionidentifier, eventtype
),
ordered AS (
  SELECT chargerid, eventtype, receivedat,
    LEAD(receivedat) OVER (PARTITION BY chargerid ORDER BY versionnumber, receivedat) AS next_at
  FROM events
)
SELECT chargerid,
  SUM(CASE WHEN eventtype = 'connected' THEN 1 ELSE 0 END) AS connects,
  SUM(CASE WHEN eventtype = 'disconnected' THEN 1 ELSE 0 END) AS disconnects,
  SUM(CASE WHEN eventtype = 'connected' AND next_at IS NOT NULL THEN CAST(next_at - receivedat AS DOUBLE) / 1000 ELSE 0 END) AS connected_s,
  CAST(MAX(receivedat) - MIN(receivedat) AS DOUBLE) / 1000 AS observed_s
FROM ordered
GROUP BY chargerid
ORDER BY chargerid
