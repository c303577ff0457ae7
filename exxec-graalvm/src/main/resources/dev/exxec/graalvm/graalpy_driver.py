# exxec's in-JVM Python driver (GraalPy): evaluated first in every fresh context, before any program
# (possibly well before: the provider keeps a spare context ready). Its last expression is a tuple of
# the functions the provider calls: _run(source, env, cwd, name, interactive), _repr(value), _session(),
# _prepare()
# (name: what the program's traceback calls it, FILENAME when it has none; a label, never opened).
#
# A run returns a tuple the provider reads with the polyglot API, never JSON text:
#   ("ok", value)                          the value of main() (awaited when async) or of _result
#   ("error", message, type, traceback)    an exception of the program
#   ("exit", code, text)                   SystemExit (text: its code as text), os._exit (text: None)
# Values are converted to JSON by the provider; it calls _repr for the text form of the rest.
import builtins
import posix
import sys

FILENAME = "<code>"


def _socketless_loop():
    # asyncio's own loops need a socket pair to wake themselves; the context may have no sockets.
    # Nothing but this thread can schedule work here, so sleeping until the next timer is enough.
    import asyncio
    import time

    class Selector:
        def select(self, timeout=None):
            time.sleep(0.01 if timeout is None else max(0.0, min(timeout, 1.0)))
            return []

        def close(self):
            pass

    class Loop(asyncio.BaseEventLoop):
        def __init__(self):
            super().__init__()
            self._selector = Selector()

        def _process_events(self, event_list):
            pass

        def _write_to_self(self):
            pass

    return Loop


class _AsyncioPatch:
    """Makes asyncio's loops socket-free once the program imports asyncio (importing it costs time)."""

    def find_spec(self, name, path=None, target=None):
        if name != "asyncio":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        original = spec.loader

        class Loader:
            def create_module(self, spec):
                return original.create_module(spec)

            def exec_module(self, module):
                original.exec_module(module)
                loop_class = _socketless_loop()

                class Policy(module.DefaultEventLoopPolicy):
                    def new_event_loop(self):
                        return loop_class()

                module.set_event_loop_policy(Policy())

        spec.loader = Loader()
        return spec


def _await(awaitable):
    import asyncio

    async def run():
        return await awaitable

    return asyncio.run(run())


def _traceback(exc, name=FILENAME):
    import traceback

    tb = BaseException.__dict__["__traceback__"].__get__(exc)  # its own, past a subclass's property
    while tb is not None and tb.tb_frame.f_code.co_filename != name:
        tb = tb.tb_next
    try:
        text = "".join(traceback.format_exception_only(type(exc), exc))
    except BaseException:
        # A metaclass that refuses __module__ or __qualname__ (which the standard library reads): the
        # line as the interpreter would write it, from what cannot refuse, and the frames are kept.
        text = "%s: %s\n" % (_class_name(exc), _text(exc))
    if tb is not None:
        frames = []
        while tb is not None:
            if not (tb.tb_frame.f_code.co_name == "find_spec" and "_StandardLibrary" in tb.tb_frame.f_globals):
                frames.append((tb.tb_frame, tb.tb_lineno))  # the driver's own guard is no frame of the program
            tb = tb.tb_next
        summary = traceback.StackSummary.from_list(
            [_with_source(f) for f in traceback.StackSummary.extract(frames, lookup_lines=False)]
        )
        text = "Traceback (most recent call last):\n" + "".join(summary.format()) + text
    return text


# The programs this context ran, by name: their lines, for their frames in a traceback. A name is a
# label, never opened: linecache would read a file of that name and show its lines as the program's.
_SOURCES = {}


def _with_source(frame):
    """A program's frame with its line from the program's source; any other frame as it is."""
    import traceback

    lines = _SOURCES.get(frame.filename)
    if lines is None:
        return frame
    number = frame.lineno
    return traceback.FrameSummary(
        frame.filename,
        number,
        frame.name,
        lookup_line=False,
        line=lines[number - 1] if number and 0 < number <= len(lines) else "",
        end_lineno=getattr(frame, "end_lineno", None),
        colno=getattr(frame, "colno", None),
        end_colno=getattr(frame, "end_colno", None),
    )


def _error(exc, name=FILENAME):
    try:
        text = _traceback(exc, name)
    except BaseException as e:
        text = "(traceback unavailable: %s)" % _class_name(e)
    return ("error", _text(exc), _class_name(exc), text)


def _repr(value):
    try:
        return repr(value)
    except BaseException as e:  # a broken __repr__ must not lose the result
        return "<%s object (repr failed: %s)>" % (_class_name(value), _class_name(e))


_NAME = type.__dict__["__name__"]
# SystemExit's own code, read past a subclass's property (which may raise).
_EXIT_CODE = SystemExit.__dict__["code"]


def _class_name(value):
    """The name of value's class, read past its metaclass, which may refuse every attribute."""
    return _NAME.__get__(type(value))


def _text(exc):
    """str(exc), or its repr when __str__ fails or returns something else than text."""
    try:
        text = str(exc)
        if type(text) is str:
            return text
    except BaseException:
        pass
    return _repr(exc)


def _exit_status(code):
    """What a SystemExit's code means, read as the interpreter reads it: (status, text). An int (a
    subclass too) is its value, never read through the program's __eq__ or __str__; None is 0; any
    other object is status 1 and its text, printed on standard error as the interpreter does."""
    if code is None:
        return 0, "None"
    if issubclass(type(code), int):
        status = int.__int__(code)
        try:
            return status, int.__repr__(status)
        except ValueError:  # more digits than int->str allows
            return status, "<int of %d bits>" % int.bit_length(status)
    try:
        text = str(code)
        if type(text) is not str:
            raise TypeError("__str__ returned non-string")
    except BaseException:
        text = _repr(code)
    try:
        print(text, file=sys.stderr)
    except BaseException:
        pass
    return 1, text


def _enter(env, cwd):
    """Gives the call its variables (NAME=VALUE, NUL-separated) and working directory.

    Without importing os, whose import costs about as much as the rest of a fresh context: until the
    program imports os, the variables live in posix.environ (bytes), where os.environ starts from."""
    os = sys.modules.get("os")
    if os is not None:
        environ, encode = os.environ, str
    else:
        environ, encode = posix.environ, _fsencode
    environ.clear()
    for item in env.split("\0"):
        if item:
            name, _, value = item.partition("=")
            environ[encode(name)] = encode(value)
    if cwd:
        posix.chdir(cwd)
        _code_path()


class _StandardLibrary:
    """Finds a top-level module of the standard library on the module path without the working
    directory, or not at all (as python_driver.py's): a name of the standard library, even one this
    installation lacks (_opcode), never resolves to a file of the workspace."""

    def __init__(self, path_finder):
        self.path_finder = path_finder

    def find_spec(self, name, path=None, target=None):
        if path is not None or name not in sys.stdlib_module_names:
            return None
        spec = self.path_finder.find_spec(name, [entry for entry in sys.path if entry != ""], target)
        if spec is None:
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return spec


def _code_path():
    """The program's own modules come from its working directory, after the standard library and
    before site-packages, and never in place of a standard-library name, as for python_driver.py: a
    file an earlier call left in the workspace never stands in for a module that this driver or an
    innocent program imports."""
    if "" in sys.path:
        return
    site = sys.modules.get("site")
    sites = set(site.getsitepackages()) if site is not None and hasattr(site, "getsitepackages") else set()
    at = next((i for i, entry in enumerate(sys.path) if entry in sites), len(sys.path))
    sys.path.insert(at, "")
    if hasattr(sys, "stdlib_module_names"):
        for i, finder in enumerate(sys.meta_path):
            if getattr(finder, "__name__", None) == "PathFinder":
                sys.meta_path.insert(i, _StandardLibrary(finder))
                break


def _fsencode(text):
    return text.encode("utf-8", "surrogateescape")


def _run(source, env, cwd, name=FILENAME, interactive=False):
    """Runs one program in a fresh __main__."""
    _enter(env, cwd)
    module = type(sys)("__main__")
    module.__dict__.update({"__builtins__": builtins, "__file__": FILENAME})
    sys.modules["__main__"] = module
    return _execute(source, module.__dict__, name, interactive)


class _HardExit(BaseException):
    """os._exit: ends the program at once. A real one would end the context, and a context that
    exits on another thread than the one that built it reports no exit status."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _exit_now(code):
    raise _HardExit(code)


def _interactive(source, namespace, name):
    """Runs an input as typed at a prompt: the value of a last expression statement is the result."""
    import ast

    tree = ast.parse(source, name)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, name, "exec"), namespace)
    return None if last is None else eval(compile(last, name, "eval"), namespace)


def _execute(source, namespace, name=FILENAME, interactive=False):
    _SOURCES[name] = source.splitlines()
    try:
        if interactive:
            return ("ok", _interactive(source, namespace, name))
        exec(compile(source, name, "exec"), namespace)
        main = namespace.get("main")
        if callable(main):
            value = main()
            if hasattr(value, "__await__"):
                value = _await(value)
        else:
            value = namespace.get("_result")
        return ("ok", value)
    except _HardExit as e:
        return ("exit", e.code if type(e.code) is int and 0 <= e.code < 256 else 1, None)
    except SystemExit as e:
        status, text = _exit_status(_EXIT_CODE.__get__(e))
        return ("exit", status if 0 <= status < 256 else 1, text)
    except BaseException as e:
        return _error(e, name)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass


def _session():
    """A function that runs programs in one namespace that persists between them (a session)."""
    module = type(sys)("__main__")
    module.__dict__.update({"__builtins__": builtins, "__file__": FILENAME})
    sys.modules["__main__"] = module
    namespace = module.__dict__

    def run(source, env, cwd, name=FILENAME, interactive=False):
        _enter(env, cwd)
        # A main or _result of an earlier program must not become this one's result.
        namespace.pop("main", None)
        namespace.pop("_result", None)
        return _execute(source, namespace, name, interactive)

    return run


def _prepare():
    # os takes _exit from posix when the program imports it (not before: see _enter).
    posix._exit = _exit_now
    os = sys.modules.get("os")
    if os is not None:
        os._exit = _exit_now
    sys.meta_path.insert(0, _AsyncioPatch())
    sys.argv[:] = [FILENAME]
    # Lines arrive as they are printed (streamed events), not when a buffer fills.
    sys.stdout.reconfigure(line_buffering=True)


(_run, _repr, _session, _prepare)
