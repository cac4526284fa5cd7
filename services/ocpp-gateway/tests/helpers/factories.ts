// OCPP 1.6 CALL payloads as the specification's examples give them, with overrides.

export const bootNotification = (overrides: Record<string, unknown> = {}) => ({
  chargePointVendor: 'VendorX',
  chargePointModel: 'SingleSocketCharger',
  chargePointSerialNumber: 'SN-0001',
  firmwareVersion: '1.0.0',
  ...overrides,
});

export const authorize = (idTag: string) => ({ idTag });

export const startTransaction = (overrides: Record<string, unknown> = {}) => ({
  connectorId: 1,
  idTag: 'TAG-1',
  meterStart: 1000,
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  ...overrides,
});

export const stopTransaction = (transactionId: number, overrides: Record<string, unknown> = {}) => ({
  transactionId,
  meterStop: 5000,
  timestamp: new Date().toISOString(),
  reason: 'Local',
  ...overrides,
});

export const statusNotification = (overrides: Record<string, unknown> = {}) => ({
  connectorId: 1,
  errorCode: 'NoError',
  status: 'Available',
  timestamp: new Date().toISOString(),
  ...overrides,
});

export const meterValues = (registerWh: number, overrides: Record<string, unknown> = {}) => ({
  connectorId: 1,
  meterValue: [
    {
      timestamp: new Date(Date.now() - 30_000).toISOString(),
      sampledValue: [
        { value: String(registerWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' },
      ],
    },
  ],
  ...overrides,
});
