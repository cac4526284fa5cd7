// jq-web ships no types: its module is a promise of jq compiled to WebAssembly.
declare module 'jq-web' {
  interface Jq {
    /** Runs `filter` over `input` (serialised as JSON) and parses the output; throws jq's error text. */
    json(input: unknown, filter: string): unknown;
    raw(input: string, filter: string, flags?: string[]): string;
  }
  const jq: Promise<Jq>;
  // biome-ignore lint/style/noDefaultExport: the package's CommonJS module is this one promise.
  export default jq;
}
