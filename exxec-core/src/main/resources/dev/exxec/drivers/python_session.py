# exxec's Python session driver: one interpreter that runs program after program, its globals kept.
#
# Protocol (dev.exxec.spi.InterpreterSession): standard input is the control channel. First one
# header line: "exxec-session/1" and tab-separated key=value fields: marker=TEXT, support=PATH
# (python_support.py). Then one request per call: a line "exxec-call/1<TAB>ID<TAB>LENGTH", optionally
# followed by tab-separated key=value fields (name=TEXT: what its traceback calls the program, "<code>"
# by default; mode=repl: run it as typed at an interactive prompt, the value of a last expression
# statement being the result), and LENGTH bytes of UTF-8 source. For each call, once the program ran and its output was flushed, the driver
# writes "\n" MARKER ID ":end\n" to standard error, then "\n" MARKER ID ":" RECORD "\n" to standard
# output (RECORD as python_driver.py's): what came before those lines on each stream is the call's
# output. The program's own standard input is empty; SIGINT interrupts a running program only.
# The interpreter runs it isolated (python3 -I), and the programs' imports come from where
# python_driver.py's _code_path puts them: nothing of the workspace is loaded in their place.
import builtins
import os
import signal
import sys

# The driver's own names (open, exec, int, str, type...) resolve in a copy of the built-ins taken before
# any program runs, and so do python_support.py's and python_driver.py's: the programs share the
# builtins module and may replace any of them, and every call after must still be read and reported
# as it was sent. The programs themselves run with the builtins module.
__builtins__ = dict(builtins.__dict__)
_signal, _SIGINT, _SIG_IGN, _INTERRUPT = signal.signal, signal.SIGINT, signal.SIG_IGN, signal.default_int_handler

# SystemExit's own code, read past a subclass's property (which may raise).
_SystemExit = SystemExit
_EXIT_CODE = SystemExit.__dict__["code"]


def _session():
    control = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the program reads nothing of the control channel
    os.close(devnull)
    sys.stdin = open(os.devnull)
    fields = control.readline().decode("utf-8").rstrip("\n").split("\t")
    if fields[0] != "exxec-session/1":
        sys.stderr.write("exxec session: bad protocol header %r\n" % (fields,))
        sys.exit(70)
    header = dict(field.split("=", 1) for field in fields[1:])
    marker = header["marker"].encode("utf-8")
    out = os.dup(1)  # private copies: immune to what a program does to fd 1 and 2
    err = os.dup(2)
    support_path = header["support"]
    namespace_support = {"__name__": "exxec_support", "__builtins__": __builtins__}
    with open(support_path, "rb") as f:
        exec(compile(f.read(), support_path, "exec"), namespace_support)
    ok_record = namespace_support["ok_record"]
    read_error = namespace_support["error_record"]
    await_value = namespace_support["await_value"]
    exit_status = namespace_support["exit_status"]

    def ok(value):
        kind = type(value)
        if value is None:
            return '{"ok":true,"value":null,"type":null}'
        if value is True or value is False:
            return '{"ok":true,"value":%s,"type":null}' % ("true" if value else "false")
        if kind is str:
            return '{"ok":true,"value":%s,"type":null}' % quote(value)
        if kind is float and value - value == 0.0:  # finite
            return '{"ok":true,"value":%s,"type":null}' % repr(value)
        return ok_record(value, quote)

    # Where the programs' imports come from, as for one-shot calls: python_driver.py's _code_path.
    driver_path = os.path.join(os.path.dirname(support_path), "python_driver.py")
    namespace_driver = {"__name__": "exxec_driver", "__builtins__": __builtins__}
    with open(driver_path, "rb") as f:
        exec(compile(f.read(), driver_path, "exec"), namespace_driver)
    namespace_driver["_code_path"]()
    quote = namespace_driver["_quote"]  # taken now: what a program does to json.dumps is not the record's
    driver_error_record = namespace_driver["_error_record"]

    def error_record(e, source, namespace, name):
        return driver_error_record(read_error, e, source, namespace, name)
    sys.argv[:] = ["<code>"]
    module = type(sys)("__main__")
    module.__dict__.update({"__builtins__": builtins, "__file__": "<code>"})
    sys.modules["__main__"] = module
    namespace = module.__dict__
    sys.stdout.reconfigure(line_buffering=True)
    _signal(_SIGINT, _SIG_IGN)

    # Rich outputs: display(obj) and figures become typed outputs of the call that made them.
    displayed = []

    def bundle(obj):
        """The richest representation of obj as (mime, data), data Base64 for binary types."""
        import base64
        import json

        if hasattr(obj, "savefig") and hasattr(obj, "canvas"):  # a matplotlib figure
            import io

            buffer = io.BytesIO()
            obj.savefig(buffer, format="png", bbox_inches="tight")
            return "image/png", base64.b64encode(buffer.getvalue()).decode("ascii")
        reprs = {}
        mimebundle = getattr(obj, "_repr_mimebundle_", None)
        if callable(mimebundle):
            try:
                got = mimebundle()
                reprs.update(got[0] if isinstance(got, tuple) else got)
            except Exception:
                pass
        for mime, method in (
            ("image/png", "_repr_png_"),
            ("image/svg+xml", "_repr_svg_"),
            ("image/jpeg", "_repr_jpeg_"),
            ("text/html", "_repr_html_"),
            ("application/json", "_repr_json_"),
            ("text/markdown", "_repr_markdown_"),
            ("text/latex", "_repr_latex_"),
        ):
            if mime not in reprs and callable(getattr(obj, method, None)):
                try:
                    value = getattr(obj, method)()
                except Exception:
                    value = None
                if value is not None:
                    reprs[mime] = value
        for mime in ("image/png", "image/svg+xml", "image/jpeg", "text/html", "application/json", "text/markdown",
                     "text/latex"):
            if mime in reprs:
                value = reprs[mime]
                if isinstance(value, tuple):  # (data, metadata)
                    value = value[0]
                if isinstance(value, (bytes, bytearray)):
                    return mime, base64.b64encode(bytes(value)).decode("ascii")
                if mime == "application/json" and not isinstance(value, str):
                    return mime, json.dumps(value, default=repr)
                return mime, str(value)
        return "text/plain", repr(obj)

    def display(*objs):
        for obj in objs:
            mime, data = bundle(obj)
            displayed.append('{"mime":%s,"data":%s}' % (quote(mime), quote(data)))

    builtins.display = display

    def flush_figures():
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is None:
            return
        for number in plt.get_fignums():
            figure = plt.figure(number)
            display(figure)
            plt.close(figure)

    # matplotlib draws with Agg; show() and a call's end turn its open figures into outputs.
    inline = type(sys)("exxec_inline_backend")

    def backend_attribute(name):
        # The first look into the module fills it with Agg's backend (matplotlib copies its names).
        from matplotlib.backends import backend_agg

        for key, value in vars(backend_agg).items():
            if not key.startswith("__"):
                inline.__dict__.setdefault(key, value)
        inline.show = lambda *args, **kwargs: flush_figures()
        if name in inline.__dict__:
            return inline.__dict__[name]
        raise AttributeError(name)

    inline.__getattr__ = backend_attribute
    sys.modules["exxec_inline_backend"] = inline
    os.environ.setdefault("MPLBACKEND", "module://exxec_inline_backend")

    def with_outputs(record):
        try:
            flush_figures()
        except BaseException:
            pass
        if not displayed:
            return record
        extra = ',"outputs":[' + ",".join(displayed) + "]}"
        displayed.clear()
        return record[: record.rindex("}")] + extra

    def interactive(source):
        # As typed at a prompt: a last expression statement's value is the result. Compiled as
        # "<string>" in the namespace, its frames are the program's (python_support.format_traceback),
        # and this function's frame comes before them: a traceback starts at the input.
        import ast

        tree = ast.parse(source, "<string>")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<string>", "exec"), namespace)
        return None if last is None else eval(compile(last, "<string>", "eval"), namespace)

    def run(source, name, repl):
        namespace.pop("_result", None)
        before = namespace.get("main")
        _signal(_SIGINT, _INTERRUPT)
        try:
            if repl:
                value = interactive(source)
                _signal(_SIGINT, _SIG_IGN)
                return ok(value)
            exec(source, namespace)
            main = namespace.get("main")
            if callable(main) and main is not before:
                value = main()
                if hasattr(value, "__await__"):
                    value = await_value(value)
            else:
                value = namespace.get("_result")
            _signal(_SIGINT, _SIG_IGN)
            return ok(value)
        except _SystemExit as e:
            _signal(_SIGINT, _SIG_IGN)
            status, text = exit_status(_EXIT_CODE.__get__(e))
            if status == 0:
                return '{"ok":true,"value":null,"type":null}'
            return '{"ok":false,"error":%s,"errorType":"SystemExit","traceback":null}' % quote(text)
        except BaseException as e:
            _signal(_SIGINT, _SIG_IGN)
            return error_record(e, source, namespace, name)

    os_write = os.write  # before any program runs: a program may replace os.write (see python_driver.py)

    def write(fd, data):
        while data:
            data = data[os_write(fd, data) :]

    while True:
        line = control.readline()
        if not line:
            return
        parts = line.decode("utf-8").rstrip("\n").split("\t")
        if len(parts) < 3 or parts[0] != "exxec-call/1" or any("=" not in part for part in parts[3:]):
            sys.stderr.write("exxec session: bad request %r\n" % (parts,))
            sys.exit(70)
        call = parts[1].encode("utf-8")
        fields = dict(part.split("=", 1) for part in parts[3:])
        name = fields.get("name") or "<code>"
        source = control.read(int(parts[2])).decode("utf-8", "replace")
        try:
            record = run(source, name, fields.get("mode") == "repl")
        except BaseException as e:  # an interrupt between the program's end and the handler's reset
            _signal(_SIGINT, _SIG_IGN)
            record = error_record(e, source, namespace, name)
        record = with_outputs(record)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        write(err, b"\n" + marker + call + b":end\n")
        write(out, b"\n" + marker + call + b":" + record.encode("utf-8") + b"\n")


_session()
