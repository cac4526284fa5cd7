-- The raw messages of one session: those naming its sessionId, or (v2) its transactionId, in receive order.
-- Parameters: from day, to day, charger (LIKE pattern), session, session.
SELECT kind, chargerid, strftime(epoch_ms(receivedat), '%Y-%m-%dT%H:%M:%S.%gZ') AS received, "at",
  connectorid, sessionid, transactionid, messageid, requestid, topic
FROM archive
WHERE day BETWEEN ? AND ? AND chargerid LIKE ? ESCAPE '\'
  AND (sessionid = ? OR CAST(transactionid AS VARCHAR) = ?)
ORDER BY receivedat, kind
