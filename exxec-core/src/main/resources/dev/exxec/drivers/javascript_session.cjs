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
// Timers a program leaves run only while a later call runs. What its promise jobs still do once its value
// is known runs before its record; an error nothing can catch ends the interpreter in that call.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const FILENAME = '<code>';
const LOOKUP_MAIN = 'typeof main === "function" ? main : undefined';
const LOOKUP_RESULT = 'typeof _result === "undefined" ? undefined : _result';

// Values are encoded as the one-shot driver encodes them: its functions, loaded without running it.
globalThis.__exxecDriverLibrary = true;
const {
  typeName, isJsonNative, inspect, replacer, okRecord, encodeRecord, failureRecord, stringify, privateCopy, isNativeError,
  apply, createObject, slice, find, contains, keepLines, plumbing, replaceEach, Text, ToNumber, BaseError, writeSync, exitProcess,
} = require(path.join(__dirname, 'javascript_driver.cjs'));
const DRIVER_FILE = path.join(__dirname, 'javascript_driver.cjs');
delete globalThis.__exxecDriverLibrary;

// What reads requests and writes records, taken before any program runs: the programs share this
// realm and may replace any of its built-ins (String.prototype.split, Buffer.prototype.toString, the
// fs and vm modules' functions...), and the next call must still be read as it was sent. What is left
// is Node.js's own machinery, which holds its built-ins apart from the realm's.
const readSync = fs.readSync;
const runInThisContext = vm.runInThisContext;
// Views are made with the Uint8Array constructor on the driver's own ArrayBuffer, never by subarray,
// which makes its result through the constructor a program can put on Uint8Array.prototype.
const Bytes = Uint8Array;
const Store = ArrayBuffer;
const setBytes = Object.getPrototypeOf(Uint8Array.prototype).set;
const byteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length').get;
const utf8 = new TextDecoder('utf-8');
const decode = TextDecoder.prototype.decode;
const encode = TextEncoder.prototype.encode;
const utf8Encoder = new TextEncoder();
const PromiseType = Promise;
const promiseThen = Promise.prototype.then;
const startTimer = setInterval;
const stopTimer = clearInterval;
const immediate = setImmediate;
// V8's longest string (2^29 - 24 characters on 64-bit machines).
const LONGEST_TEXT = 536870888;
// Where records and end lines go: the driver's own descriptors for standard output and error, which a
// program may close or replace (see privateCopy).
const output = privateCopy(1);
const errors = privateCopy(2);

// The unread part of standard input: bytes[start, end) of a buffer of `capacity` bytes.
let store = new Store(65536);
let bytes = new Bytes(store);
let capacity = 65536;
let start = 0;
let end = 0;
let scanned = 0; // bytes[start, scanned) hold no line feed

function readMore() {
  if (start > 0 && end === capacity) {
    apply(setBytes, bytes, [new Bytes(store, start, end - start)]);
    end -= start;
    scanned -= start;
    start = 0;
  }
  if (end === capacity) {
    const larger = new Store(capacity * 2);
    bytes = new Bytes(larger);
    apply(setBytes, bytes, [new Bytes(store)]);
    store = larger;
    capacity *= 2;
  }
  let n;
  for (;;) {
    try {
      n = readSync(0, bytes, end, capacity - end, null);
      break;
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') return false;
      throw e;
    }
  }
  if (n === 0) return false;
  end += n;
  return true;
}

function text(from, to) {
  return apply(decode, utf8, [new Bytes(store, from, to - from)]);
}

function readLine() {
  for (;;) {
    while (scanned < end && bytes[scanned] !== 10) scanned++;
    if (scanned < end) {
      const line = text(start, scanned);
      start = scanned = scanned + 1;
      return line;
    }
    if (!readMore()) return null;
  }
}

function readText(length) {
  while (end - start < length) {
    if (!readMore()) return null;
  }
  const source = text(start, start + length);
  start += length;
  if (scanned < start) scanned = start;
  return source;
}

// The tab-separated fields of a line: {length, 0: ..., 1: ...}, without a prototype.
function fieldsOf(line) {
  const fields = createObject(null);
  let n = 0;
  let at = 0;
  for (;;) {
    const tab = find(line, '\t', at);
    fields[n++] = tab < 0 ? slice(line, at) : slice(line, at, tab);
    if (tab < 0) break;
    at = tab + 1;
  }
  fields.length = n;
  return fields;
}

// The key=value fields from `first` on, as an object without a prototype; null when one has no "=".
function keyValues(fields, first) {
  const values = createObject(null);
  for (let i = first; i < fields.length; i++) {
    const eq = find(fields[i], '=');
    if (eq < 0) return null;
    values[slice(fields[i], 0, eq)] = slice(fields[i], eq + 1);
  }
  return values;
}

function errorRecord(err, name) {
  if (isNativeError(err) || err instanceof BaseError || (err && typeof err === 'object' && 'stack' in err)) {
    const stack = typeof err.stack === 'string' ? err.stack : '';
    const kept = keepLines(stack, (line) => !plumbing(line, __filename) && !plumbing(line, DRIVER_FILE));
    // The program's positions ("<code>:LINE") under its name: a function replacement, so that no "$&"
    // in the name is expanded.
    const text = replaceEach(kept, /<code>(?=:\d)/g, () => name);
    return {
      ok: false,
      error: Text(err.message ?? err),
      errorType: typeName(err) === 'Object' ? Text(err.name || 'Error') : typeName(err),
      traceback: stack && kept ? text : null,
    };
  }
  return { ok: false, error: 'uncaught ' + typeName(err) + ': ' + inspect(err), errorType: 'Error', traceback: null };
}

function write(fd, text) {
  const data = apply(encode, utf8Encoder, [text]);
  const length = apply(byteLength, data, []);
  for (let done = 0; done < length; ) {
    done += writeSync(fd, data, done, length - done);
  }
}

function refuse(what, line) {
  write(errors, 'exxec session: ' + what + ' ' + stringify(line) + '\n');
  exitProcess(70);
}

// An interrupt while a program awaits: the awaited value is abandoned with this error.
let interruptAwait = null;
process.on('SIGINT', () => {
  if (interruptAwait) interruptAwait(new BaseError('Script execution interrupted.'));
});

function interruptible(value) {
  if (!value || typeof value.then !== 'function') return value;
  // A promise that never settles leaves Node.js with nothing to do, and it would exit: a timer keeps
  // it waiting for the interrupt.
  const alive = startTimer(() => {}, 1 << 30);
  const settled = () => {
    interruptAwait = null;
    stopTimer(alive);
  };
  const awaited = new PromiseType((resolve, reject) => {
    interruptAwait = reject;
    value.then(resolve, reject);
  });
  return apply(promiseThen, awaited, [
    (v) => {
      settled();
      return v;
    },
    (e) => {
      settled();
      throw e;
    },
  ]);
}

// display(value...): typed outputs of the call ({mime, data} texts, in a list without a prototype): a
// {mime, data} object as it is, other values as application/json when JSON holds them, else as text.
// Each field is read once, and kept only as text.
let displayed = emptyList();

function emptyList() {
  const list = createObject(null);
  list.length = 0;
  return list;
}

function show(mime, data) {
  const entry = createObject(null);
  entry.mime = mime;
  entry.data = data;
  displayed[displayed.length++] = entry;
}

globalThis.display = (...values) => {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const mime = value && typeof value === 'object' ? value.mime : undefined;
    const data = typeof mime === 'string' ? value.data : undefined;
    if (typeof mime === 'string' && typeof data === 'string') {
      show(mime, data);
      continue;
    }
    if (typeof value !== 'string' && isJsonNative(value)) {
      let json;
      try {
        json = stringify(value, replacer);
      } catch (e) {
        // a cycle: its text
      }
      if (typeof json === 'string') {
        show('application/json', json);
        continue;
      }
    }
    show('text/plain', inspect(value));
  }
};

async function session() {
  const first = readLine() || '';
  const fields = fieldsOf(first);
  const header = keyValues(fields, 1);
  if (fields[0] !== 'exxec-session/1' || header === null || typeof header.marker !== 'string') {
    refuse('bad protocol header', first);
  }
  const marker = header.marker;
  // The programs' require resolves from the working directory, as the one-shot driver's does; the
  // driver's own modules are Node.js's built-ins and its sibling file, never from there.
  globalThis.require = createRequire(path.join(process.cwd(), FILENAME));
  for (;;) {
    const line = readLine();
    if (line === null) return;
    const parts = fieldsOf(line);
    const fields = parts.length >= 3 ? keyValues(parts, 3) : null;
    const length = parts.length >= 3 ? ToNumber(parts[2]) : -1;
    if (parts[0] !== 'exxec-call/1' || fields === null || !(length >= 0 && length % 1 === 0)) {
      refuse('bad request', line);
    }
    const call = parts[1];
    const name = fields.name || FILENAME;
    const source = readText(length);
    if (source === null) return;
    let record;
    try {
      // `_result` and `main` may be global properties or top-level `let`/`const` bindings: both are
      // read by evaluating their names; a former call's `_result` is cleared first.
      try {
        runInThisContext('_result = undefined');
      } catch (e) {
        // a `const _result` of a former call: it stays
      }
      const before = runInThisContext(LOOKUP_MAIN);
      // Options without a prototype: an option the program put on Object.prototype (a timeout) is not one.
      const options = createObject(null);
      options.filename = FILENAME;
      options.breakOnSigint = true;
      const completion = runInThisContext(source, options);
      const main = runInThisContext(LOOKUP_MAIN);
      let value;
      if (fields.mode === 'repl') {
        value = await interruptible(completion);
      } else if (main && main !== before) {
        value = await interruptible(main());
      } else {
        value = await interruptible(runInThisContext(LOOKUP_RESULT));
      }
      record = okRecord(value);
    } catch (e) {
      record = failureRecord(e, (err) => errorRecord(err, name));
    }
    // What the call's jobs still do (promise reactions, microtasks, Node.js's check for unhandled
    // rejections) is the call's own: it runs now, before its output ends, never in the next call. An
    // error nothing in the program can catch ends the interpreter there, as it ends a Node.js program:
    // this call fails with its state lost, and the next call starts a new interpreter.
    await new PromiseType((resolve) => immediate(resolve));
    const outputs = displayed;
    displayed = emptyList();
    // The record framed must still be one string: what is longer is refused by encodeRecord.
    const text = encodeRecord(record, outputs, LONGEST_TEXT - marker.length - call.length - 3);
    write(errors, '\n' + marker + call + ':end\n');
    write(output, '\n' + marker + call + ':' + text + '\n');
  }
}

apply(promiseThen, session(), [
  () => exitProcess(0),
  (e) => {
    let why;
    try {
      why = e && typeof e.stack === 'string' ? e.stack : Text(e);
    } catch (unreadable) {
      why = 'an error that could not be read';
    }
    write(errors, 'exxec session: ' + why + '\n');
    exitProcess(70);
  },
]);
