// exxec's JavaScript session driver: one Node.js process that runs program after program in one
// realm, its globals kept (top-level `var`, functions, `let` and `const` persist, as in a REPL).
//
// Protocol (dev.exxec.spi.InterpreterSession), as python_session.py: a header line
// "exxec-session/1<TAB>marker=TEXT" on standard input, then per call a line
// "exxec-call/1<TAB>ID<TAB>LENGTH", optionally followed by tab-separated key=value fields (name=TEXT:
// what its stack trace calls the program, "<code>" by default; mode=repl: run it as typed at a REPL),
// and LENGTH bytes of UTF-8 source. After each call the driver writes "\n" MARKER ID ":end\n" to
// standard error and "\n" MARKER ID ":" RECORD "\n" to standard output. A program's value is `main()`
// when the call defined `main` (awaited when it returns a promise), else `_result` (awaited likewise);
// in mode=repl, the script's completion value (awaited likewise). SIGINT interrupts a running program, sync or async.
// Timers a program leaves run only while a later call runs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const FILENAME = '<code>';
const LOOKUP_MAIN = 'typeof main === "function" ? main : undefined';
const LOOKUP_RESULT = 'typeof _result === "undefined" ? undefined : _result';
let pending = Buffer.alloc(0);

function readMore() {
  const chunk = Buffer.alloc(65536);
  let n;
  for (;;) {
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
      break;
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') return false;
      throw e;
    }
  }
  if (n === 0) return false;
  pending = Buffer.concat([pending, chunk.subarray(0, n)]);
  return true;
}

function readLine() {
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl >= 0) {
      const line = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      return line;
    }
    if (!readMore()) return null;
  }
}

function readBytes(length) {
  while (pending.length < length) {
    if (!readMore()) return null;
  }
  const bytes = pending.subarray(0, length);
  pending = pending.subarray(length);
  return bytes;
}

// Values are encoded as the one-shot driver encodes them: its functions, loaded without running it.
globalThis.__exxecDriverLibrary = true;
const { typeName, isJsonNative, inspect, replacer, okRecord, encodeRecord } = require(path.join(__dirname, 'javascript_driver.cjs'));
delete globalThis.__exxecDriverLibrary;

function errorRecord(err, name) {
  if (err instanceof Error || (err && typeof err === 'object' && 'stack' in err)) {
    const stack = typeof err.stack === 'string' ? err.stack : '';
    const kept = stack
      .split('\n')
      .filter((line) => !(/^\s+at /.test(line) && (line.includes(__filename) || /\(node:|at node:/.test(line))));
    // The program's positions ("<code>:LINE") under its name: a function replacement, so that no "$&"
    // in the name is expanded.
    const text = kept.join('\n').replace(/<code>(?=:\d)/g, () => name);
    return {
      ok: false,
      error: Text(err.message ?? err),
      errorType: typeName(err) === 'Object' ? Text(err.name || 'Error') : typeName(err),
      traceback: kept.length ? text : null,
    };
  }
  return { ok: false, error: 'uncaught ' + typeName(err) + ': ' + inspect(err), errorType: 'Error', traceback: null };
}

// A thrown value whose properties throw when read (a getter, a Proxy's traps): what reading them
// threw is reported instead, as the one-shot driver does, and the session goes on.
function failureRecord(err, name) {
  for (let i = 0; i < 3; i++) {
    try {
      return errorRecord(err, name);
    } catch (e) {
      err = e;
    }
  }
  return { ok: false, error: 'a thrown value that could not be read', errorType: 'Error', traceback: null };
}

// Captured before any program runs: a program may wrap or replace these (see encodeRecord).
const writeSync = fs.writeSync;
const bufferFrom = Buffer.from.bind(Buffer);
const subarray = Uint8Array.prototype.subarray;
const apply = Reflect.apply;
const Text = String;

function write(fd, text) {
  let data = bufferFrom(text, 'utf8');
  while (data.length) {
    const n = writeSync(fd, data);
    data = apply(subarray, data, [n]);
  }
}

// An interrupt while a program awaits: the awaited value is abandoned with this error.
let interruptAwait = null;
process.on('SIGINT', () => {
  if (interruptAwait) interruptAwait(new Error('Script execution interrupted.'));
});

function interruptible(value) {
  if (!value || typeof value.then !== 'function') return value;
  // A promise that never settles leaves Node.js with nothing to do, and it would exit: a timer keeps
  // it waiting for the interrupt.
  const alive = setInterval(() => {}, 1 << 30);
  return new Promise((resolve, reject) => {
    interruptAwait = reject;
    value.then(resolve, reject);
  }).finally(() => {
    interruptAwait = null;
    clearInterval(alive);
  });
}

// display(value...): typed outputs of the call ({mime, data}): a {mime, data} object as it is, other
// values as application/json when JSON holds them, else as text.
let displayed = [];
globalThis.display = (...values) => {
  for (const value of values) {
    if (value && typeof value === 'object' && typeof value.mime === 'string' && typeof value.data === 'string') {
      displayed.push({ mime: value.mime, data: value.data });
    } else if (typeof value !== 'string' && isJsonNative(value)) {
      try {
        displayed.push({ mime: 'application/json', data: JSON.stringify(value, replacer) });
        continue;
      } catch (e) {
        // a cycle: its text
      }
      displayed.push({ mime: 'text/plain', data: inspect(value) });
    } else {
      displayed.push({ mime: 'text/plain', data: inspect(value) });
    }
  }
};

async function session() {
  const fields = (readLine() || '').split('\t');
  if (fields[0] !== 'exxec-session/1') {
    process.stderr.write('exxec session: bad protocol header ' + JSON.stringify(fields) + '\n');
    process.exit(70);
  }
  const header = Object.fromEntries(fields.slice(1).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
  const marker = header.marker;
  // The programs' require resolves from the working directory, as the one-shot driver's does; the
  // driver's own modules are Node.js's built-ins and its sibling file, never from there.
  globalThis.require = createRequire(path.join(process.cwd(), FILENAME));
  for (;;) {
    const line = readLine();
    if (line === null) return;
    const parts = line.split('\t');
    if (parts.length < 3 || parts[0] !== 'exxec-call/1' || parts.slice(3).some((f) => !f.includes('='))) {
      process.stderr.write('exxec session: bad request ' + JSON.stringify(parts) + '\n');
      process.exit(70);
    }
    const call = parts[1];
    const fields = Object.fromEntries(parts.slice(3).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
    const name = fields.name || FILENAME;
    const bytes = readBytes(Number(parts[2]));
    if (bytes === null) return;
    const source = bytes.toString('utf8');
    let record;
    try {
      // `_result` and `main` may be global properties or top-level `let`/`const` bindings: both are
      // read by evaluating their names; a former call's `_result` is cleared first.
      try {
        vm.runInThisContext('_result = undefined');
      } catch (e) {
        // a `const _result` of a former call: it stays
      }
      const before = vm.runInThisContext(LOOKUP_MAIN);
      const completion = vm.runInThisContext(source, { filename: FILENAME, breakOnSigint: true });
      const main = vm.runInThisContext(LOOKUP_MAIN);
      let value;
      if (fields.mode === 'repl') {
        value = await interruptible(completion);
      } else if (main && main !== before) {
        value = await interruptible(main());
      } else {
        value = await interruptible(vm.runInThisContext(LOOKUP_RESULT));
      }
      record = okRecord(value);
    } catch (e) {
      record = failureRecord(e, name);
    }
    if (displayed.length) {
      record.outputs = displayed;
      displayed = [];
    }
    const text = encodeRecord(record);
    write(2, '\n' + marker + call + ':end\n');
    write(1, '\n' + marker + call + ':' + text + '\n');
  }
}

session().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write('exxec session: ' + (e && e.stack ? e.stack : String(e)) + '\n');
    process.exit(70);
  }
);
