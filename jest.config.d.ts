// Types for the parts of jest.config.js that tests import.
export function projectFor(dir: string): Record<string, unknown>;
