export { lambdaContextFor } from './lambda-context.js';
