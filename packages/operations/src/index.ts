// What an operator does, shared by the CLI (`npm run chargers|redrive`, packages/operator-cli) and the ops
// console's routes (deployed in Lambda): no argument parsing or printing here, only the operations themselves.
export * from './redrive/list.js';
export {
  type CommandIo,
  httpInvoke,
  type Invoke,
  lambdaInvoke,
  PEEK_VISIBILITY_TIMEOUT_S,
  type RedriveOptions,
  type RedriveReport,
  redrive,
} from './redrive/run.js';
export * from './send-command.js';
