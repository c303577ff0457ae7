// exxec's in-JVM JavaScript driver (GraalJS): evaluated first in every fresh context, before the
// program (possibly well before: the provider keeps a spare context ready). GraalJS is a bare ECMAScript engine; this gives programs the small part of Node.js that
// result-returning code commonly uses (timers, process.env/exit/stdout/stderr, Buffer.from,
// require("fs").readFileSync(0)) and no more: no file system, network or child processes.
//
// The host passes one object, __exxecHost, with write(stream, data) (1 stdout, 2 stderr; a string or
// an array of bytes); the driver removes it from the global scope before the program runs. The
// completion value is the driver's interface for the provider, read with the polyglot API.
(function (host) {
  'use strict';
  const EXIT = Symbol('exxec.exit');
  // What the driver works with between and after programs, taken before any runs: a program (in a
  // session, each program) may replace the realm's built-ins, and every call after it must still be
  // read as it ran (see javascript_driver.cjs).
  const apply = Reflect.apply;
  const ownKeys = Object.keys;
  const createObject = Object.create;
  const Text = String;
  const ToNumber = Number;
  const BaseError = Error;
  const indexOfText = String.prototype.indexOf;
  // A value's promise, resolved as await resolves it: a thenable given another promise or thenable
  // takes what that settles to.
  const NativePromise = Promise;
  const promiseResolve = Promise.resolve;
  const promiseThen = Promise.prototype.then;
  const sliceText = String.prototype.slice;
  const lookupMain = new Function('return typeof main === "function" ? main : undefined;');
  const lookupResult = new Function('return typeof _result === "undefined" ? undefined : _result;');
  const clearResult = new Function('try { _result = undefined; } catch (e) { /* a const _result stays */ }');
  // The timers by id, in an object without a prototype, and how many there are.
  const timers = createObject(null);
  let timerCount = 0;
  let nextTimer = 1;
  // The host's monotonic time in ms (mark, step and every new timer read it): a timer is due its delay
  // after it was set, however long the code ran before it set it.
  let clock = 0;
  // The program's main before the call ran: a session's later calls do not run an earlier call's main.
  let before;

  function write(stream, data) {
    if (data instanceof Uint8Array) {
      host.write(stream, Array.from(data));
    } else {
      host.write(stream, String(data));
    }
    return true;
  }

  function typeName(value) {
    if (value === null) return 'null';
    if (typeof value === 'object' || typeof value === 'function') {
      const ctor = value.constructor;
      if (ctor && typeof ctor.name === 'string' && ctor.name) return ctor.name;
    }
    return typeof value;
  }

  function inspect(value, depth) {
    try {
      depth = depth || 0;
      switch (typeof value) {
        case 'string':
          return depth === 0 ? value : JSON.stringify(value);
        case 'bigint':
          return value + 'n';
        case 'function':
          return '[Function: ' + (value.name || '(anonymous)') + ']';
        case 'symbol':
        case 'number':
        case 'boolean':
        case 'undefined':
          return String(value);
      }
      if (value === null) return 'null';
      if (depth > 5) return '[' + typeName(value) + ']';
      if (value instanceof Map) {
        const items = Array.from(value, ([k, v]) => inspect(k, depth + 1) + ' => ' + inspect(v, depth + 1));
        return 'Map(' + value.size + ') {' + (items.length ? ' ' + items.join(', ') + ' ' : '') + '}';
      }
      if (value instanceof Set) {
        const items = Array.from(value, (v) => inspect(v, depth + 1));
        return 'Set(' + value.size + ') {' + (items.length ? ' ' + items.join(', ') + ' ' : '') + '}';
      }
      if (Array.isArray(value)) return '[ ' + value.map((v) => inspect(v, depth + 1)).join(', ') + ' ]';
      if (value instanceof Error) return value.stack || String(value);
      const keys = Object.keys(value);
      const body = keys.map((k) => k + ': ' + inspect(value[k], depth + 1)).join(', ');
      const prefix = typeName(value) === 'Object' ? '' : typeName(value) + ' ';
      return prefix + '{' + (body ? ' ' + body + ' ' : '') + '}';
    } catch (e) {
      return '<' + typeName(value) + ' (inspect failed)>';
    }
  }

  function format(args) {
    return Array.from(args, (a) => (typeof a === 'string' ? a : inspect(a, 1))).join(' ') + '\n';
  }

  function addTimer(callback, delay, args, repeat) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const id = nextTimer++;
    // As Node.js: a whole number of milliseconds, 1 for anything below 1 or above 2^31 - 1 (and NaN).
    const wait = ToNumber(delay);
    const ms = wait >= 1 && wait <= 2147483647 ? wait - (wait % 1) : 1;
    const now = host.now();
    if (now > clock) clock = now;
    const timer = createObject(null);
    timer.callback = callback;
    timer.args = args;
    timer.due = clock + ms;
    timer.ms = ms;
    timer.repeat = repeat;
    if (!(id in timers)) timerCount++;
    timers[id] = timer;
    return id;
  }

  function removeTimer(id) {
    if (id in timers) {
      delete timers[id];
      timerCount--;
    }
  }

  const env = {};
  const graalVersion = typeof Graal === 'object' && Graal !== null ? String(Graal.versionGraalVM) : '';
  const process = {
    env,
    argv: ['graaljs', '<code>'],
    platform: 'linux',
    // Not Node.js: no versions.node, so that code can tell.
    versions: { graaljs: graalVersion },
    release: { name: 'graaljs' },
    exitCode: undefined,
    exit(code) {
      const status = code === undefined ? process.exitCode || 0 : Number(code) | 0;
      end(['exit', status]);
      throw { [EXIT]: status };
    },
    stdout: { write: (data) => write(1, data) },
    stderr: { write: (data) => write(2, data) },
    nextTick(callback, ...args) {
      microtask(callback, args);
    },
  };

  class Buffer extends Uint8Array {
    static from(data, encoding) {
      if (typeof data === 'string') {
        const bytes = [];
        const utf8 = unescape(encodeURIComponent(data));
        for (let i = 0; i < utf8.length; i++) bytes.push(utf8.charCodeAt(i));
        return new Buffer(bytes);
      }
      return new Buffer(Array.from(data));
    }
    toString() {
      try {
        return decodeURIComponent(escape(String.fromCharCode(...this)));
      } catch (e) {
        return String.fromCharCode(...this);
      }
    }
  }

  const fs = {
    readFileSync(file, options) {
      if (file === 0 || file === '/dev/stdin') return options ? '' : Buffer.from([]);
      throw unavailable('fs.readFileSync(' + JSON.stringify(String(file)) + ')');
    },
  };
  for (const name of ['readdirSync', 'fstatSync', 'statSync', 'writeSync', 'writeFileSync', 'openSync', 'existsSync']) {
    fs[name] = () => {
      throw unavailable('fs.' + name);
    };
  }

  function unavailable(what) {
    const error = new Error(what + ' is not available: the graalvm provider runs GraalJS without Node.js, file or network access');
    error.code = 'ERR_EXXEC_UNAVAILABLE';
    return error;
  }

  function require(name) {
    const id = String(name).replace(/^node:/, '');
    if (id === 'fs') return fs;
    if (id === 'process') return process;
    if (id === 'buffer') return { Buffer };
    if (id === 'timers') return { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
    throw unavailable('require(' + JSON.stringify(String(name)) + ')');
  }

  const console = {
    log: (...args) => write(1, format(args)),
    info: (...args) => write(1, format(args)),
    debug: (...args) => write(1, format(args)),
    error: (...args) => write(2, format(args)),
    warn: (...args) => write(2, format(args)),
    trace: (...args) => write(2, format(args)),
  };

  Object.assign(globalThis, {
    process,
    Buffer,
    require,
    console,
    setTimeout: (callback, delay, ...args) => addTimer(callback, delay, args, false),
    setInterval: (callback, delay, ...args) => addTimer(callback, delay, args, true),
    setImmediate: (callback, ...args) => addTimer(callback, 0, args, false),
    clearTimeout: (id) => removeTimer(id),
    clearInterval: (id) => removeTimer(id),
    clearImmediate: (id) => removeTimer(id),
    queueMicrotask: (callback) => microtask(callback, []),
  });
  delete globalThis.__exxecHost;
  for (const name of ['load', 'loadWithNewGlobal', 'print', 'printErr', 'Polyglot', 'Graal', 'Java']) {
    delete globalThis[name];
  }

  // The outcome of an async main, set once its promise settles.
  let settled = null;
  // What ends the call whatever its value: an exit (process.exit cannot be caught, as in Node.js), or
  // an error thrown where nothing can catch it (a microtask, a nextTick callback).
  let fatal = null;

  function end(outcome) {
    if (fatal === null) fatal = outcome;
  }

  // Runs callback as a microtask; what it throws ends the call, as an uncaught exception ends a program.
  function microtask(callback, args) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    apply(promiseThen, apply(promiseResolve, NativePromise, [undefined]), [
      () => {
        try {
          apply(callback, undefined, args);
        } catch (e) {
          end(failure(e));
        }
      },
    ]);
  }
  // The call being run (mark() counts them): a promise's callbacks decide only the call that watched
  // it, and only once. A thenable can keep its resolvers, and later code call them.
  let call = 0;

  function errorOutcome(error) {
    if (error !== null && typeof error === 'object' && EXIT in error) return ['exit', error[EXIT]];
    if (error instanceof BaseError || (error !== null && typeof error === 'object' && 'stack' in error)) {
      const stack = typeof error.stack === 'string' ? error.stack : null;
      return ['error', Text(error.message), typeName(error), stack];
    }
    return ['error', 'uncaught ' + typeName(error) + ': ' + inspect(error), 'Error', null];
  }

  // The outcome of a failure whose value may not be readable (a Proxy whose every trap throws): still a
  // failure, named by what reading it threw, never a callback that throws and leaves the call unsettled.
  function failure(error) {
    try {
      return errorOutcome(error);
    } catch (again) {
      return ['error', 'a thrown value that could not be read (reading it threw ' + inspect(again, 1) + ')', 'Error', null];
    }
  }

  // Watches the program's value; outcome() says when a promise settled. True when it is no promise.
  function watch(value) {
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      const mine = call;
      let decided = false;
      const current = () => {
        if (decided || mine !== call) return false;
        decided = true;
        return true;
      };
      apply(promiseThen, apply(promiseResolve, NativePromise, [value]), [
        (v) => {
          if (current()) settled = ['ok', v];
        },
        (e) => {
          if (current()) settled = failure(e);
        },
      ]);
      return false;
    }
    settled = ['ok', value];
    return true;
  }

  // The final record: an 'ok' one carries the exit code process.exitCode asks for.
  function record() {
    if (fatal !== null) return fatal;
    if (settled[0] !== 'ok') return settled;
    return ['ok', settled[1], process.exitCode === undefined ? 0 : ToNumber(process.exitCode) | 0];
  }

  const driver = {
    // Gives the call its variables (NAME=VALUE, NUL-separated) before the program runs.
    enter(variables) {
      const names = ownKeys(env);
      for (let i = 0; i < names.length; i++) delete env[names[i]];
      const text = Text(variables);
      for (let at = 0; at < text.length; ) {
        let end = apply(indexOfText, text, ['\0', at]);
        if (end < 0) end = text.length;
        const item = apply(sliceText, text, [at, end]);
        const eq = apply(indexOfText, item, ['=']);
        if (eq > 0) env[apply(sliceText, item, [0, eq])] = apply(sliceText, item, [eq + 1]);
        at = end + 1;
      }
    },
    // Before the program runs (at the host's time now): which main is an earlier call's, and nothing
    // an earlier call left decides this one: not its _result, its exit code, nor its timers (only a
    // failed call leaves timers, and a failed program ends, as a process would).
    mark(now) {
      clearResult();
      before = lookupMain();
      settled = null;
      fatal = null;
      call++;
      try {
        process.exitCode = undefined;
      } catch (e) {
        // a program that made it read-only keeps its own exit code
      }
      const left = ownKeys(timers);
      for (let i = 0; i < left.length; i++) delete timers[left[i]];
      timerCount = 0;
      if (now > clock) clock = now;
    },
    // Runs the program's main when this call defined it (a promise is awaited through the event loop),
    // else reads _result, and watches its value.
    start() {
      const main = lookupMain();
      watch(main && main !== before ? main() : lookupResult());
    },
    // Watches an input's completion value instead (an input typed at a prompt).
    watch(value) {
      watch(value);
    },
    // The final record when that is all (once the promise jobs of start ran): the value settled and
    // no timer is left. Else null: the host runs the event loop (step) until outcome() is set and,
    // after a success, no timer is left, then reads record().
    done() {
      if (fatal !== null) return fatal;
      return settled !== null && timerCount === 0 ? record() : null;
    },
    outcome() {
      return fatal !== null ? fatal : settled;
    },
    record,
    error: errorOutcome,
    // Runs the first timer due at the host's time now; returns ms until the next one, or -1.
    step(now) {
      if (now > clock) clock = now;
      // The first due timer (the earliest; of those, the first set: ids grow, and for-in lists an
      // object's integer keys in ascending order).
      let first = null;
      let next = -1;
      for (const key in timers) {
        const t = timers[key];
        if (t.due <= clock && (first === null || t.due < timers[first].due)) first = key;
        if (next < 0 || t.due - clock < next) next = t.due - clock;
      }
      if (first !== null) {
        const timer = timers[first];
        if (timer.repeat) {
          timer.due = clock + timer.ms;
        } else {
          removeTimer(first);
        }
        apply(timer.callback, undefined, timer.args);
        return 0;
      }
      return next;
    },
    inspect: (value) => inspect(value, 0),
    typeName,
  };
  return driver;
})(__exxecHost);
