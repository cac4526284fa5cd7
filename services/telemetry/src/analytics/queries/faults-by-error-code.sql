-- Status notifications reporting an error, by OCPP error code (each messageId once).
-- Parameters: from day, to day, charger (LIKE pattern).
SELECT errorcode, COUNT(*) AS faults, COUNT(DISTINCT chargerid) AS chargers
FROM (
  SELECT DISTINCT chargerid, messageid, errorcode
  FROM archive
  WHERE kind = 'status' AND errorcode <> 'NoError'
    AND day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
) AS faults
GROUP BY errorcode
ORDER BY faults DESC, errorcode
