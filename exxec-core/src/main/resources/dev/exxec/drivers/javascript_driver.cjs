// exxec's JavaScript and TypeScript driver: runs one program and reports its result on a channel the
// program cannot forge. Runs on Node.js (and on Deno, for TypeScript).
//
// Protocol (dev.exxec.spi.DriverProtocol): standard input holds one header line, then the program's
// source as UTF-8 until end of file. The header is "exxec-driver/1" and tab-separated key=value fields:
//   file=PATH        write the result record to this file, or
//   marker=TEXT      write it to standard output as one line: TEXT, the record, a line feed;
//   language=L       "javascript" (default) or "typescript";
//   transpiler=T     for TypeScript: "esbuild:MODULE" or "typescript:MODULE" (a module path to
//                    require), or "native" where the runtime runs TypeScript itself (Deno);
//   unsetenv=A,B     variables to remove that the launcher set but the caller did not (bwrap's PWD);
//   name=TEXT        what stack traces call the program ("<code>" by default): a label, never opened.
// The result record is one JSON object:
//   {"ok": true, "value": <JSON>, "type": <type name when value is the text form of a non-JSON value>}
//   {"ok": false, "error": "...", "errorType": "TypeError", "traceback": "..."}
//
// The program runs as a classic script in this realm, so `function main` and top-level `let _result`
// are visible after it ran, with require, module, __filename and __dirname as in CommonJS. A program
// with top-level await runs inside an async function; one with import/export statements runs as an ES
// module, from memory (see runModule).
//
// Nothing this driver loads comes from the working directory, which the program and the background
// processes of earlier calls share: its own modules are Node.js's built-ins (node: specifiers) and a
// transpiler named by its absolute path.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const util = require('node:util');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');

const FILENAME = '<code>';
// What the program's frames are called in the traceback it reports: the code's name (the header's
// name=), FILENAME when it has none. The program itself runs as FILENAME (its __filename, its
// require's base, process.argv[1]): the name is a label and never a path that is resolved or opened.
let displayName = FILENAME;
// Where an ES-module program seems to come from (see runModule, runDenoModule): errors name it FILENAME.
const DATA_PROGRAM = 'data:application/typescript;base64,';
// (Deno shortens a long data: URL in stack traces with "......".)
const DATA_PROGRAM_URL = /data:application\/typescript;base64,[A-Za-z0-9+/=]+(?:\.{3,}[A-Za-z0-9+/=]+)?/g;
const DRIVER_FILE = __filename;
// What writes the record, captured before any program runs: a program may replace these built-ins (in
// a session, for the calls after it too), and its record must still say how it ended. (A program can
// still reach into this process and write a record of its own: that is its own word, as catching its
// own error would be; exxec's verdicts, such as a deadline or a limit, are never in a record.)
//
// The same holds for what reads the program's error: its stack is cleaned with these string and
// regular-expression built-ins, never with the realm's methods, which a program may make throw, return
// no text or loop; the session driver reads its requests with them too.
const stringify = JSON.stringify;
const parseJson = JSON.parse;
const createObject = Object.create;
const ownKeys = Object.keys;
const prototypeOf = Object.getPrototypeOf;
const ObjectPrototype = Object.prototype;
const isArray = Array.isArray;
const isFiniteNumber = Number.isFinite;
const apply = Reflect.apply;
const sliceText = String.prototype.slice;
const indexOfText = String.prototype.indexOf;
const includesText = String.prototype.includes;
const regexExec = RegExp.prototype.exec;
const Text = String;
const ToNumber = Number;
const BaseError = Error;
const utilInspect = util.inspect;
const { isPromise, isMap, isSet, isDate, isNativeError } = util.types;
const runInThisContext = vm.runInThisContext;
const writeSync = fs.writeSync;
const openSync = fs.openSync;
const closeSync = fs.closeSync;
const RESULT_FILE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;
const exitProcess = process.exit.bind(process);

// text.slice(start, end), text.indexOf(needle, from), text.includes(needle), re.exec(text) !== null
// with the built-ins above.
function slice(text, start, end) {
  return end === undefined ? apply(sliceText, text, [start]) : apply(sliceText, text, [start, end]);
}

function find(text, needle, from) {
  return apply(indexOfText, text, [needle, from || 0]);
}

function contains(text, needle) {
  return apply(includesText, text, [needle]);
}

function matches(re, text) {
  re.lastIndex = 0;
  return apply(regexExec, re, [text]) !== null;
}

// text.replace(re, (match) => ...) for a global pattern re, with the built-ins above.
function replaceEach(text, re, replacement) {
  let out = '';
  let copied = 0;
  re.lastIndex = 0;
  for (;;) {
    const match = apply(regexExec, re, [text]);
    if (match === null) break;
    out += slice(text, copied, match.index) + replacement(match);
    copied = match.index + match[0].length;
    if (match[0].length === 0) re.lastIndex++;
  }
  return out + slice(text, copied);
}

// The lines of text that keep(line, index) keeps, joined by line feeds: text.split('\n').filter(keep)
// .join('\n') with the built-ins above.
function keepLines(text, keep) {
  let out = null;
  let at = 0;
  for (let i = 0; at <= text.length; i++) {
    let end = find(text, '\n', at);
    if (end < 0) end = text.length;
    const line = slice(text, at, end);
    if (keep(line, i)) out = out === null ? line : out + '\n' + line;
    at = end + 1;
  }
  return out === null ? '' : out;
}

// A stack frame of Node.js's own modules or of the driver file `file`.
function plumbing(line, file) {
  return matches(/^\s+at /, line) && (contains(line, file) || matches(/\(node:|at node:/, line));
}

let recordWritten = false;
let resultFile = null;
let prefix = '';
let channel = 1;

// A descriptor of the driver's own for what `fd` is open on, taken before any program runs: a program
// may close fd 1 or 2, or put a pipe of its own there, and the record must still go where the caller
// reads it. A pipe, a terminal or a file is opened again through /proc (close-on-exec, as Node.js opens
// every file); where that cannot be done (a socket), it is fd itself.
function privateCopy(fd) {
  try {
    return openSync('/proc/self/fd/' + fd, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  } catch (e) {
    return fd;
  }
}

// The result file is opened only to write a record, never while the program runs, so the program
// finds no descriptor of it in /proc/self/fd. The last record wins: a late uncaught error replaces
// an earlier success.
function writeRecord(record) {
  // Framed on the channel, the record must still be one string (V8's longest: 2^29 - 24 characters).
  const text = encodeRecord(record, undefined, resultFile === null ? 536870888 - prefix.length - 1 : undefined);
  if (resultFile === null) {
    writeSync(channel, prefix + text + '\n');
  } else {
    const fd = openSync(resultFile, RESULT_FILE_FLAGS, 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  }
  recordWritten = true;
}

// The record as one line of JSON. A record JSON cannot carry (its text would pass V8's longest string,
// or the program broke JSON for its own values: a toJSON that throws) is never reported as a success:
// a failure keeps its type and the start of its message, a success becomes an OutputLimitError. That
// record is built from plain strings, which no program's toJSON reaches.
//
// The record is copied into an object without a prototype first, so that a toJSON the program put on
// Object.prototype never stands for the whole record. A session's displayed values (`outputs`, a list
// of {mime, data} texts) are written as text here, not attached to the record, where a setter the
// program put on Object.prototype would receive the record.
// A record as JSON text of at most `room` characters (when given); a record that cannot be that is
// reported as what kept it out.
function encodeRecord(record, outputs, room) {
  const plain = createObject(null);
  const keys = ownKeys(record);
  for (let i = 0; i < keys.length; i++) plain[keys[i]] = record[keys[i]];
  let text;
  let failure = null;
  try {
    text = stringify(plain);
    if (typeof text === 'string' && outputs && outputs.length) text = withOutputs(text, outputs);
  } catch (e) {
    text = undefined;
    failure = e;
  }
  if (typeof text === 'string' && !(text.length > room)) return text;
  const why = typeof text === 'string' ? 'it is ' + text.length + ' characters, more than a record can be'
    : failure === null ? 'its JSON was no text' : describe(failure);
  const reason = 'the result could not be reported: ' + clip(why, 200);
  const failed = plain.ok === false;
  return '{"ok":false,"error":' + stringify(failed ? clip(Text(plain.error), 4096) + ' [' + reason + ']' : reason)
    + ',"errorType":' + stringify(failed ? clip(Text(plain.errorType), 200) : 'OutputLimitError')
    + ',"traceback":null}';
}

function withOutputs(text, outputs) {
  let list = '';
  for (let i = 0; i < outputs.length; i++) {
    list += (i ? ',' : '') + '{"mime":' + stringify(outputs[i].mime) + ',"data":' + stringify(outputs[i].data) + '}';
  }
  return slice(text, 0, text.length - 1) + ',"outputs":[' + list + ']}';
}

// The first `length` characters of text, and how many more it had.
function clip(text, length) {
  return text.length <= length ? text : apply(sliceText, text, [0, length]) + '... (' + (text.length - length) + ' more characters)';
}

// What an error is, read without trusting it (a program's toJSON may throw anything).
function describe(e) {
  try {
    return e instanceof BaseError ? Text(e.name) + ': ' + Text(e.message) : 'a thrown ' + typeof e;
  } catch (unreadable) {
    return 'an error that could not be read';
  }
}

// In each run of characters other than white space and parentheses, replaces the part from the run's
// start to the end of the last `needle` that `tail` (a sticky pattern, holding no such character)
// follows: what /[^\s()]*NEEDLE TAIL/g replaces, in linear time. That pattern backtracks in quadratic
// time over a long run, and the text is a program's error message or stack, of any length.
function replaceRunHeads(text, needle, tail, replacement) {
  const BREAK = /[\s()]/;
  let out = '';
  let copied = 0;
  let at = find(text, needle);
  while (at >= 0) {
    let start = at;
    while (start > copied && !matches(BREAK, text[start - 1])) start--;
    let end = at;
    while (end < text.length && !matches(BREAK, text[end])) end++;
    let cut = -1;
    for (let i = at; i >= 0 && i < end; i = find(text, needle, i + 1)) {
      tail.lastIndex = i + needle.length;
      if (apply(regexExec, tail, [text]) !== null) cut = tail.lastIndex;
    }
    if (cut >= 0) {
      out += slice(text, copied, start) + replacement;
      copied = cut;
    }
    at = find(text, needle, end);
  }
  return out + slice(text, copied);
}

// The program's file (an ES module's URL in the working directory) or data: URL (Deno's) in a text,
// under `name`.
function programNamed(text, name) {
  return replaceEach(replaceRunHeads(text, '.exxec-code-', /[\w-]+\.[cm]?[jt]s/y, name), DATA_PROGRAM_URL, () => name);
}

function typeName(value) {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') {
    const ctor = value.constructor;
    if (ctor && typeof ctor.name === 'string' && ctor.name) return ctor.name;
  }
  return typeof value;
}

function isJsonNative(value) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return isFiniteNumber(value);
    case 'object':
      if (value === null || isArray(value) || isDate(value)) return true;
      const proto = prototypeOf(value);
      return proto === ObjectPrototype || proto === null;
    default:
      return false;
  }
}

function inspect(value) {
  try {
    return typeof value === 'string' ? value : utilInspect(value, { depth: 6, breakLength: Infinity });
  } catch (e) {
    return '<' + typeName(value) + ' (inspect failed)>';
  }
}

// Nested values JSON cannot hold become their text form (BigInt, Map, Set, functions, symbols).
function replacer(key, value) {
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') return inspect(value);
  if (isMap(value) || isSet(value)) return inspect(value);
  if (typeof value === 'number' && !isFiniteNumber(value)) return Text(value);
  return value;
}

function okRecord(value) {
  if (value === undefined || value === null) return { ok: true, value: null, type: null };
  if (isJsonNative(value)) {
    try {
      return { ok: true, value: parseJson(stringify(value, replacer)), type: null };
    } catch (e) {
      // a cycle or a throwing toJSON: fall through to the text form
    }
  }
  return { ok: true, value: inspect(value), type: typeName(value) };
}

function cleanStack(err) {
  const stack = typeof err.stack === 'string' ? err.stack : '';
  if (!stack) return null;
  // Frames after the program's outermost one belong to this driver and Node's module plumbing.
  let last = -1;
  keepLines(stack, (line, i) => {
    if (contains(line, FILENAME) || contains(line, '.exxec-code-') || contains(line, DATA_PROGRAM)) last = i;
    return false;
  });
  const kept = keepLines(stack, (line, i) => !(i > last && plumbing(line, DRIVER_FILE)));
  return named(replaceRunHeads(programNamed(remap(kept), FILENAME), '/<code>', /(?:)/y, FILENAME));
}

// The program's positions ("<code>:LINE") under its display name; a function replacement, so that
// no "$&" or "$1" in the name is expanded.
function named(stack) {
  return displayName === FILENAME ? stack : replaceEach(stack, /<code>(?=:\d)/g, () => displayName);
}

function errorRecord(err) {
  if (isNativeError(err) || err instanceof BaseError || (err && typeof err === 'object' && 'stack' in err)) {
    return {
      ok: false,
      error: programNamed(Text(err.message ?? err), displayName),
      errorType: typeName(err) === 'Object' ? Text(err.name || 'Error') : typeName(err),
      traceback: cleanStack(err),
    };
  }
  return { ok: false, error: 'uncaught ' + typeName(err) + ': ' + inspect(err), errorType: 'Error', traceback: null };
}

// The record of a thrown value, read by `read` (errorRecord here; the session's names its frames). A
// value whose reading throws (a getter, a Proxy's traps, a toString) is reported by what reading it
// threw instead; after three such, by a fixed text.
function failureRecord(err, read) {
  for (let i = 0; i < 3; i++) {
    try {
      return read(err);
    } catch (e) {
      err = e;
    }
  }
  return { ok: false, error: 'a thrown value that could not be read', errorType: 'Error', traceback: null };
}

// A failure ends the process at once, as an uncaught error ends a Node.js program.
function fail(err) {
  writeRecord(failureRecord(err, errorRecord));
  exitProcess(1);
}

function transpile(source, spec) {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const module = colon < 0 ? '' : spec.slice(colon + 1);
  if (kind === 'esbuild') {
    const esbuild = require(module);
    try {
      return esbuild.transformSync(source, { loader: 'ts', sourcefile: FILENAME, sourcemap: 'inline', target: 'node' + process.versions.node.split('.')[0] }).code;
    } catch (e) {
      const first = (e.errors && e.errors[0]) || null;
      const err = new SyntaxError(first ? first.text : String(e.message));
      err.stack = first && first.location
        ? `${FILENAME}:${first.location.line}\n${first.location.lineText}\n${' '.repeat(first.location.column)}^\n\nSyntaxError: ${first.text}`
        : 'SyntaxError: ' + err.message;
      throw err;
    }
  }
  if (kind === 'typescript') {
    const ts = require(module);
    const out = ts.transpileModule(source, {
      fileName: 'code.ts',
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, inlineSourceMap: true, inlineSources: false },
    });
    const diagnostic = (out.diagnostics || []).find((d) => d.category === ts.DiagnosticCategory.Error);
    if (diagnostic) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const err = new SyntaxError(message);
      const pos = diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : null;
      err.stack = pos ? `${FILENAME}:${pos.line + 1}:${pos.character + 1}\n\nSyntaxError: ${message}` : 'SyntaxError: ' + message;
      throw err;
    }
    return out.outputText;
  }
  throw new Error('exxec driver: unknown TypeScript transpiler ' + spec);
}

// Maps generated positions back to the TypeScript source with the inline source map the transpiler
// wrote (vm scripts do not apply source maps themselves).
let sourceMap = null;

function decodeMappings(mappings) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines = [];
  let srcLine = 0;
  let srcCol = 0;
  let srcIndex = 0;
  for (const lineText of mappings.split(';')) {
    const segments = [];
    let genCol = 0;
    for (const segment of lineText.split(',')) {
      if (!segment) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = chars.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0];
      if (values.length >= 4) {
        srcIndex += values[1];
        srcLine += values[2];
        srcCol += values[3];
        segments.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function loadSourceMap(code) {
  const match = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!match) return null;
  try {
    return decodeMappings(JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')).mappings);
  } catch (e) {
    return null;
  }
}

function originalPosition(line, column) {
  const segments = sourceMap && sourceMap[line - 1];
  if (!segments || segments.length === 0) return null;
  let best = segments[0];
  for (let i = 0; i < segments.length; i++) {
    if (segments[i][0] <= column - 1) best = segments[i];
  }
  return [best[1] + 1, best[2] + 1];
}

function remap(stack) {
  if (!sourceMap) return stack;
  return replaceEach(stack, /<code>:(\d+):(\d+)/g, (match) => {
    const pos = originalPosition(ToNumber(match[1]), ToNumber(match[2]));
    return pos ? FILENAME + ':' + pos[0] + ':' + pos[1] : match[0];
  });
}

// What the program left: an object without a prototype (so that no `then` or iterator the program put on
// Object.prototype or Array.prototype is consulted when the driver reads or awaits it).
const PROBE = "({__proto__: null, main: typeof main === 'function' ? main : undefined, result: typeof _result !== 'undefined' ? _result : undefined})";

function commonJsGlobals(cwd) {
  const filename = path.join(cwd, FILENAME);
  const req = createRequire(filename);
  const mod = { exports: {}, require: req, id: '.', filename, loaded: false, paths: req.resolve.paths('x') || [] };
  globalThis.require = req;
  globalThis.module = mod;
  globalThis.exports = mod.exports;
  globalThis.__filename = filename;
  globalThis.__dirname = cwd;
}

// The program's module never touches the disk: a module that the driver wrote and Node.js read back
// could be swapped in between by any process that shares the working directory (a background
// process of an earlier call), which would then run in this call's place and read its source and its
// variables. Node.js loads it through customization hooks (node:module register, Node.js 18.19 and
// later): its URL names a file in the working directory that does not exist, so that what it imports
// resolves from there as a file of that directory would, and the hooks give its source from memory.
const MODULE_HOOKS = `
let url;
let source;
export function initialize(data) {
  url = data.url;
  source = data.source;
}
export async function resolve(specifier, context, next) {
  return specifier === url ? { url, format: 'module', shortCircuit: true } : next(specifier, context);
}
export async function load(target, context, next) {
  return target === url ? { format: 'module', source, shortCircuit: true } : next(target, context);
}
`;

const PROBE_EXPORT = '\nexport const __exxec_probe = () => ' + PROBE + ';\n';

async function importModule(url) {
  try {
    return await import(url);
  } catch (err) {
    // Deno reports a module's syntax error as a TypeError whose message starts with "SyntaxError:".
    if (err instanceof TypeError && /^SyntaxError: /.test(err.message)) {
      const syntax = new SyntaxError(err.message.slice('SyntaxError: '.length));
      syntax.stack = 'SyntaxError: ' + syntax.message;
      throw syntax;
    }
    throw err;
  }
}

async function runModule(code, cwd) {
  const { register } = require('node:module');
  if (typeof register !== 'function') {
    throw new SyntaxError('a program with import or export statements needs Node.js 18.19 or later (module.register), this is ' + process.version);
  }
  const url = pathToFileURL(path.join(cwd, `.exxec-code-${process.pid}-${Date.now().toString(36)}.mjs`)).href;
  register('data:text/javascript,' + encodeURIComponent(MODULE_HOOKS), { data: { url, source: code + PROBE_EXPORT } });
  return (await importModule(url)).__exxec_probe();
}

// Deno has no customization hooks: its program is imported from a data: URL, from memory as well. A
// data: URL has no directory, so the program's relative imports have none to resolve against; that
// failure says so.
async function runDenoModule(source) {
  const url = 'data:application/typescript;base64,' + Buffer.from(source + PROBE_EXPORT, 'utf8').toString('base64');
  try {
    return (await importModule(url)).__exxec_probe();
  } catch (err) {
    if (err instanceof TypeError && /relative URL with a cannot-be-a-base base/.test(err.message)) {
      throw new TypeError('a TypeScript program run by Deno cannot import relative paths: exxec runs it from'
        + ' memory, so that no process sharing the workspace can swap it; import file: URLs or packages instead');
    }
    throw err;
  }
}

function moduleSyntax(err) {
  return err instanceof SyntaxError && /import statement outside a module|Unexpected token 'export'|import\.meta|Cannot use 'import\.meta'/.test(err.message);
}

// Runs the program: its PROBE, or for a program that runs asynchronously (top-level await, an ES
// module), a promise of it. A classic script is read without awaiting anything of the driver's, which a
// program could reach through Promise.prototype.
function runProgram(source, header) {
  const cwd = process.cwd();
  const typescript = header.language === 'typescript';
  if (typescript && header.transpiler === 'native') {
    return runDenoModule(source);
  }
  const code = typescript ? transpile(source, header.transpiler || '') : source;
  if (typescript) sourceMap = loadSourceMap(code);
  commonJsGlobals(cwd);
  let script;
  try {
    script = new vm.Script(code, { filename: FILENAME });
  } catch (err) {
    if (moduleSyntax(err)) return runModule(code, cwd);
    if (!(err instanceof SyntaxError) || !/await is only valid|Unexpected reserved word/.test(err.message)) throw err;
    // Top-level await: run the program as the body of an async function (its first line stays line 1).
    let wrapped;
    try {
      wrapped = new vm.Script('(async () => {' + code + '\n;return ' + PROBE + ';\n})()', { filename: FILENAME });
    } catch (wrapError) {
      if (moduleSyntax(wrapError)) return runModule(code, cwd);
      throw err;
    }
    return wrapped.runInThisContext();
  }
  script.runInThisContext();
  return runInThisContext(PROBE);
}

function finish(value) {
  if (!recordWritten) {
    writeRecord(okRecord(value));
  }
}

async function main() {
  const input = fs.readFileSync(0);
  const newline = input.indexOf(10);
  const fields = input.subarray(0, newline < 0 ? input.length : newline).toString('utf8').split('\t');
  if (fields[0] !== 'exxec-driver/1') {
    process.stderr.write('exxec driver: bad protocol header ' + JSON.stringify(fields) + '\n');
    process.exit(70);
  }
  const header = Object.fromEntries(fields.slice(1).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
  const source = newline < 0 ? '' : input.subarray(newline + 1).toString('utf8');
  // The program never learns where the result goes: the header is consumed here.
  if (header.file !== undefined) {
    resultFile = header.file;
  } else {
    prefix = header.marker;
    channel = privateCopy(1);
  }
  if (header.name) displayName = header.name;
  process.argv.splice(1, process.argv.length - 1, FILENAME); // the program sees itself as the script
  for (const name of (header.unsetenv || '').split(',')) {
    if (name) delete process.env[name]; // set by the launcher, not by the caller (bwrap's PWD)
  }
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  let outcome;
  try {
    let probe = runProgram(source, header);
    if (isPromise(probe)) probe = await probe;
    const mainFunction = probe.main;
    outcome = mainFunction ? mainFunction() : probe.result;
    // The program's own promise (or thenable): how it settles is the program's word.
    if (outcome && typeof outcome.then === 'function') outcome = await outcome;
  } catch (err) {
    fail(err);
  }
  finish(outcome);
}

// The session driver (javascript_session.cjs) loads this file for its value encoding only.
module.exports = {
  typeName, isJsonNative, inspect, replacer, okRecord, encodeRecord, failureRecord, stringify, privateCopy, isNativeError,
  apply, createObject, slice, find, contains, keepLines, plumbing, replaceEach, Text, ToNumber, BaseError, writeSync, exitProcess,
};
if (!globalThis.__exxecDriverLibrary) {
  if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
  main();
}
