-- Session starts per hour: v1 auth requests and v2 transaction starts, each requestId once (duplicates dropped).
-- Parameters: from day, to day, charger (LIKE pattern).
SELECT day, hour, COUNT(DISTINCT chargerid || '/' || requestid) AS sessions
FROM archive
WHERE kind IN ('auth-request', 'transaction-start')
  AND day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
GROUP BY day, hour
ORDER BY day, hour
