# exxec's Python driver: runs one program and reports its result on a channel the program cannot forge.
#
# Protocol (dev.exxec.spi.DriverProtocol): standard input holds one header line, then the program's
# source as UTF-8 until end of file. The header is "exxec-driver/1" and tab-separated key=value fields:
#   file=PATH     write the result record to this file, or
#   marker=TEXT   write it to standard output as one line: TEXT, the record, a line feed;
#   support=PATH  python_support.py;
#   setsid=1      start a new session first, so that everything the program starts can be found,
#                 and become a child subreaper: what leaves the session and is orphaned (a daemon
#                 that forked twice) becomes this process's child, and is found as its descendant;
#   unsetenv=A,B  remove variables the launcher set but the caller did not (bwrap sets PWD);
#   name=TEXT     what tracebacks call the program ("<code>" by default): a label, never opened.
# The interpreter runs it isolated (python3 -I): see _code_path for where the program's imports come
# from, and why.
# The result record is one JSON object:
#   {"ok": true, "value": <JSON>, "type": <type name when value is the text form of a non-JSON value>}
#   {"ok": false, "error": "...", "errorType": "ValueError", "traceback": "..."}
#
# One interpreter starts per execution, so this file is what every run pays for: it stays small and
# imports nothing beyond the interpreter's start-up set. Error formatting and the encoding of
# containers live in python_support.py, loaded only when needed.
import builtins
import sys

# The driver's own names (open, exec, str, repr, type...) resolve in a copy of the built-ins taken
# before any program runs, and so do python_support.py's: a program may replace any of them in the
# builtins module, which it shares, and its record must still say how it ended. The program itself
# runs with the builtins module.
__builtins__ = dict(builtins.__dict__)

_ESCAPES = None
_SURROGATES = None
# What ends the run, taken before any program runs: a program may replace SystemExit in builtins, or
# read a subclass's code through a property that raises. (A program can still reach into this process
# and write a record of its own: that is its own word, as catching its own error would be; exxec's
# verdicts, such as a deadline or a limit, are never in a record.)
_SystemExit = SystemExit
_EXIT_CODE = SystemExit.__dict__["code"]


def _quote(text):
    """text as a JSON string. Only text is quoted (str's own translate, never a subclass's): what the
    program hands over never leaves the quotes."""
    global _ESCAPES, _SURROGATES
    if _ESCAPES is None:
        _ESCAPES = {i: "\\u%04x" % i for i in range(32)}
        _ESCAPES.update({9: "\\t", 10: "\\n", 13: "\\r", 34: '\\"', 92: "\\\\", 0x2028: "\\u2028", 0x2029: "\\u2029"})
    if not issubclass(type(text), str):
        text = "<%s that is no text>" % _NAME.__get__(type(text))
    quoted = '"' + str.translate(text, _ESCAPES) + '"'
    try:
        quoted.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escaped as JSON escapes them
        if _SURROGATES is None:
            _SURROGATES = {i: "\\u%04x" % i for i in range(0xD800, 0xE000)}
        return str.translate(quoted, _SURROGATES)
    return quoted


_NAME = type.__dict__["__name__"]


def _error_record(read, e, source, namespace, name):
    """The record of the program's failure e, as read (python_support.py's error_record) reads it; the
    class's name alone when the program broke what reading it needs (sys.modules...)."""
    try:
        return read(e, source, namespace, _quote, name)
    except BaseException:
        return '{"ok":false,"error":"the exception could not be read","errorType":%s,"traceback":null}' % _quote(
            _NAME.__get__(type(e))
        )


def _ok(value, support):
    kind = type(value)
    if value is None:
        text = "null"
    elif value is True or value is False:
        text = "true" if value else "false"
    elif kind is str:
        text = _quote(value)
    elif kind is int and -(10**18) < value < 10**18:
        text = str(value)
    elif kind is float and value - value == 0.0:  # finite
        text = repr(value)
    else:
        return support().ok_record(value, _quote)
    return '{"ok":true,"value":%s,"type":null}' % text


def _run(source, support, name="<code>"):
    """Runs the program; returns (record, exit_code)."""
    module = type(sys)("__main__")
    module.__dict__.update({"__builtins__": builtins, "__file__": "<code>"})
    sys.modules["__main__"] = module
    namespace = module.__dict__
    try:
        # exec(str), not compile(): builtin compile() costs about a millisecond on its first call
        # (it builds the AST types). Frames are then named "<string>"; error reports rename them.
        exec(source, namespace)
        main = namespace.get("main")
        if callable(main):
            value = main()
            if hasattr(value, "__await__"):
                value = support().await_value(value)
        else:
            value = namespace.get("_result")
        return _ok(value, support), 0
    except _SystemExit as e:
        code = _EXIT_CODE.__get__(e)
        if code is None or (type(code) is int and code == 0):
            return '{"ok":true,"value":null,"type":null}', 0
        if type(code) is int and -(10**9) < code < 10**9:
            # the common case, without loading the support code
            status, text = code, repr(code)
        else:
            status, text = support().exit_status(code)
        if status == 0:
            return '{"ok":true,"value":null,"type":null}', 0
        record = '{"ok":false,"error":%s,"errorType":"SystemExit","traceback":null}' % _quote(text)
        return record, status if 0 < status < 256 else 1
    except BaseException as e:
        return _error_record(lambda *read: support().error_record(*read), e, source, namespace, name), 1


class _StandardLibrary:
    """Finds a top-level module of the standard library on the module path without the program's
    entries, or not at all: a name of the standard library never resolves to a file of the workspace,
    even one this installation lacks (winreg, _overlapped...), which the standard library tries to
    import and does without (mimetypes tries winreg)."""

    def __init__(self, path_finder, entries):
        self.path_finder = path_finder
        self.entries = entries

    def find_spec(self, name, path=None, target=None):
        if path is not None or name not in sys.stdlib_module_names:
            return None  # a submodule (found in its package) or not the standard library's
        search = [entry for entry in sys.path if entry not in self.entries]
        spec = self.path_finder.find_spec(name, search, target)
        if spec is None:
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return spec


def _code_path():
    """Puts the program's own modules on the module path: its working directory, then the caller's
    PYTHONPATH, after the standard library and before site-packages.

    The interpreter runs isolated (-I: no script or working directory on the path, no user site, no
    PYTHON* variables), so nothing of the workspace is on the path while the interpreter starts and
    this driver loads. Placed after the standard library, and kept from its names (_StandardLibrary,
    Python 3.10 and later), a file that an earlier call left in the workspace (asyncio.py, json.py,
    traceback.py...) can never stand in for a module that the driver imports after the program ran,
    nor for one an innocent program imports; the program's own modules still shadow installed
    packages, as they would in a script's directory."""
    import os

    site = sys.modules.get("site")
    sites = set()
    if site is not None and hasattr(site, "getsitepackages"):
        sites = {os.path.abspath(p) for p in site.getsitepackages()}
    at = len(sys.path)
    for i, entry in enumerate(sys.path):
        if entry and os.path.abspath(entry) in sites:
            at = i
            break
    entries = [""] + [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    sys.path[at:at] = entries
    if hasattr(sys, "stdlib_module_names"):
        for i, finder in enumerate(sys.meta_path):
            if getattr(finder, "__name__", None) == "PathFinder":
                sys.meta_path.insert(i, _StandardLibrary(finder, entries))
                break


def _become_subreaper():
    """prctl(PR_SET_CHILD_SUBREAPER, 1) where the system has it (Linux), through _ctypes alone: the
    ctypes package would cost every run a few milliseconds more. Without it, nothing changes but
    that a double-forked daemon is not found (dev.exxec.local.internal.CallLedger)."""
    try:
        import _ctypes

        class _int(_ctypes._SimpleCData):
            _type_ = "i"

        class _function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = _int

        class _libc:
            _handle = _ctypes.dlopen(None)

        _function(("prctl", _libc))(_int(36), _int(1), _int(0), _int(0), _int(0))
    except Exception:
        pass


def _driver(stdin=None):
    """Runs the request on stdin (a binary stream; the process's standard input by default)."""
    import os

    stdin = stdin if stdin is not None else sys.stdin.buffer
    # Taken before the program runs, which may replace them in its os module.
    os_write, os_open, os_close = os.write, os.open, os.close
    fields = stdin.readline().decode("utf-8").rstrip("\n").split("\t")
    if fields[0] != "exxec-driver/1":
        sys.stderr.write("exxec driver: bad protocol header %r\n" % (fields,))
        sys.exit(70)
    header = dict(field.split("=", 1) for field in fields[1:])
    for name in header.get("unsetenv", "").split(","):
        if name:
            os.environ.pop(name, None)  # set by the launcher, not by the caller (bwrap's PWD)
    if header.get("setsid") == "1":
        try:
            os.setsid()
        except OSError:
            pass
        _become_subreaper()
    source = stdin.read().decode("utf-8", "replace")
    # The program never learns where the result goes: the header is consumed here. The result file
    # is opened only after the program ran, so no descriptor of it exists while the program could
    # find one in /proc/self/fd; the marker channel is a private copy of fd 1, immune to what the
    # program does to fd 1 itself.
    prefix = None if "file" in header else header["marker"].encode("utf-8")
    channel = None if prefix is None else os.dup(1)
    support_path = header["support"]
    _code_path()
    sys.argv[:] = ["<code>"]  # the program sees itself as the script
    loaded = []

    def support():
        if not loaded:
            namespace = {"__name__": "exxec_support", "__builtins__": __builtins__}
            with open(support_path, "rb") as f:
                exec(compile(f.read(), support_path, "exec"), namespace)
            loaded.append(type("support", (), {k: staticmethod(v) for k, v in namespace.items() if callable(v)}))
        return loaded[0]

    sys.stdout.reconfigure(line_buffering=True)
    record, exit_code = _run(source, support, header.get("name") or "<code>")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    if channel is None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW
        channel = os_open(header["file"], flags, 0o600)
        data = record.encode("utf-8")
    else:
        data = prefix + record.encode("utf-8") + b"\n"
    while data:
        data = data[os_write(channel, data) :]
    os_close(channel)
    if exit_code:
        raise _SystemExit(exit_code)


# Run as a script (python_driver.pyc); python_zygote.py loads it under another name and calls
# _driver itself in each child it forks.
if __name__ == "__main__":
    _driver()
