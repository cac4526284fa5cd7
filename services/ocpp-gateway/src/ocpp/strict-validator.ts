import { createRequire } from 'node:module';
import { createRPCError, createValidator } from 'ocpp-rpc';
import { errorCodeForSchemaKeyword } from './call-errors.js';

type Validator = ReturnType<typeof createValidator>;

// ocpp-rpc's own OCPP 1.6 JSON schemas (the OCA's), so no schema is written by hand here.
const ocpp16Schemas = createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp1_6.json');
const standard = createValidator('ocpp1.6', ocpp16Schemas);

interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
}

/**
 * The library's 1.6 validator with the specification's error codes: a CALL whose action has no 1.6 schema
 * is NotImplemented (the library says ProtocolError), and a broken payload gets the code naming what broke.
 */
export function ocpp16StrictValidator(): Validator {
  const validator = {
    get subprotocol() {
      return 'ocpp1.6';
    },
    validate(schemaId: string, params: unknown) {
      const schema = standard._ajv.getSchema(schemaId);
      if (!schema) {
        const action = schemaId.replace(/^urn:/, '').replace(/\.(req|conf)$/, '');
        throw createRPCError('NotImplemented', `${action} is not an OCPP 1.6 action`, {});
      }
      if (schema(params)) return true;
      const [first] = (schema.errors ?? []) as SchemaError[];
      const keyword = first?.keyword ?? 'type';
      const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(payload)';
      // No payload, or one that is not an object: the frame does not have the PDU's structure at all.
      const code =
        keyword === 'type' && !first?.instancePath
          ? 'FormationViolation'
          : errorCodeForSchemaKeyword(keyword);
      throw createRPCError(code, `${field} ${first?.message ?? 'is invalid'}`, {
        field,
        keyword,
      });
    },
  };
  return validator as unknown as Validator;
}
