/**
 * Declares a module-level value, a schema, so that a bundle keeps it only where something uses it. Each call
 * carries the `@__PURE__` annotation (`= /*@__PURE__*\/ pure(() => ...)` in the sources): esbuild drops an
 * unused call annotated pure, and with it the value's construction at import. The annotation belongs to the
 * call site: esbuild does not carry a function's own annotation across modules. Every module-level zod schema
 * is declared this way (tests/unit/pure-schemas.test.ts checks the sources): each function's bundle then builds
 * the schemas it parses with, not the whole contract.
 */
export function pure<T>(build: () => T): T {
  return build();
}
