-- Energy per charger per day (Wh): the rise of each connector's register within the day, v1 and v2 readings.
-- A v2 reading that names only its transaction (no connectorId) is left out: without its connector, its register
-- would be compared with another connector's; the connector's periodic readings carry the same register.
-- Parameters: from day, to day (yyyy-MM-dd), charger (LIKE pattern, '\' escapes).
WITH scoped AS (
  SELECT * FROM archive
  WHERE kind = 'meter' AND day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
    AND connectorid > 0
),
readings AS (
  SELECT chargerid, connectorid, day,
    CASE energy.unit WHEN 'kWh' THEN energy.value * 1000 ELSE energy.value END AS register_wh
  FROM scoped
  WHERE energy IS NOT NULL
  UNION ALL
  SELECT s.chargerid, s.connectorid, s.day,
    CASE sv.unit WHEN 'kWh' THEN TRY_CAST(sv.value AS DOUBLE) * 1000 ELSE TRY_CAST(sv.value AS DOUBLE) END
  FROM scoped s
  CROSS JOIN UNNEST(s.metervalue) AS m(mv)
  CROSS JOIN UNNEST(mv.sampledvalue) AS v(sv)
  WHERE COALESCE(sv.measurand, 'Energy.Active.Import.Register') = 'Energy.Active.Import.Register'
    AND sv.phase IS NULL AND COALESCE(sv.location, 'Outlet') = 'Outlet'
),
per_connector AS (
  SELECT chargerid, connectorid, day, MAX(register_wh) - MIN(register_wh) AS rise_wh
  FROM readings
  GROUP BY chargerid, connectorid, day
)
SELECT chargerid, day, SUM(rise_wh) AS energy_wh
FROM per_connector
GROUP BY chargerid, day
ORDER BY day, chargerid
