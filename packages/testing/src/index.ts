export { lambdaContextFor } from './lambda-context.js';
export { createTestTable, type TestTable } from './test-table.js';
export { readZipTextEntries } from './zip.js';
