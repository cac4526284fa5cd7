// The jest environment of every project: handler logs (the JSON lines Powertools writes to stdout/stderr)
// are held per test and printed only when that test (or a hook) fails; TEST_LOGS=1 lets them all through.
// Anything that is not a JSON log line (jest's own output, a tool's messages) always passes through.
// Plain JS: jest loads its environment outside the ESM transform.
import { TestEnvironment } from 'jest-environment-node';

const passThrough = process.env.TEST_LOGS === '1';
/** The last lines kept per test; a failing test prints these (a flood keeps its tail, where the failure is). */
const keptLines = 300;

function isLogLine(text) {
  return text.startsWith('{"level":') || text.startsWith('{"cold_start"') || text.startsWith('{"timestamp"');
}

export class QuietEnvironment extends TestEnvironment {
  #original = undefined;
  #lines = [];
  #dropped = 0;

  async setup() {
    await super.setup();
    if (!passThrough) this.#capture();
  }

  async teardown() {
    this.#release();
    await super.teardown();
  }

  handleTestEvent(event) {
    if (event.name === 'test_start' || event.name === 'hook_start') this.#clear();
    if (event.name === 'test_done' && event.test.errors.length > 0)
      this.#print(`test "${fullName(event.test)}"`);
    if (event.name === 'hook_failure') this.#print(`${event.hook.type} hook`);
  }

  #capture() {
    const streams = [process.stdout, process.stderr];
    this.#original = streams.map((stream) => stream.write);
    for (const [index, stream] of streams.entries()) {
      const write = this.#original[index];
      stream.write = (chunk, ...rest) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        if (!isLogLine(text)) return write.call(stream, chunk, ...rest);
        this.#keep(text);
        const callback = rest.find((argument) => typeof argument === 'function');
        if (callback) queueMicrotask(callback);
        return true;
      };
    }
  }

  #release() {
    if (!this.#original) return;
    [process.stdout, process.stderr].forEach((stream, index) => {
      stream.write = this.#original[index];
    });
    this.#original = undefined;
  }

  #keep(text) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      this.#lines.push(line);
      if (this.#lines.length > keptLines) {
        this.#lines.shift();
        this.#dropped++;
      }
    }
  }

  #clear() {
    this.#lines = [];
    this.#dropped = 0;
  }

  #print(what) {
    if (this.#lines.length === 0) return;
    const write = this.#original?.[1] ?? process.stderr.write;
    const header = `\n--- handler logs of the failed ${what}${this.#dropped ? ` (last ${keptLines}, ${this.#dropped} earlier lines dropped)` : ''} ---\n`;
    write.call(process.stderr, `${header}${this.#lines.join('\n')}\n--- end of handler logs ---\n`);
    this.#clear();
  }
}

function fullName(test) {
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent)
    names.unshift(block.name);
  return names.join(' › ');
}

export default QuietEnvironment;
