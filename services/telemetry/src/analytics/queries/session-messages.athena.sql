-- The raw messages of one session: those naming its sessionId, or (v2) its transactionId, in receive order.
-- Parameters: from day, to day, charger (LIKE pattern), session, session.
SELECT kind, chargerid, to_iso8601(from_unixtime(receivedat / 1000.0)) AS received, "at",
  connectorid, sessionid, transactionid, messageid, requestid, topic
FROM archive
WHERE day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
  AND (sessionid = ? OR CAST(transactionid AS VARCHAR) = ?)
ORDER BY receivedat, kind
