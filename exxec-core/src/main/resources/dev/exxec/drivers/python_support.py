# exxec's Python driver support: the parts of python_driver.py that only some runs need (awaiting an
# async main, encoding containers and non-JSON values, formatting errors). Loaded on demand.
import sys

FILENAME = "<code>"
_NAME = type.__dict__["__name__"]
_TRACEBACK = BaseException.__dict__["__traceback__"]


def class_name(value):
    """The name of value's class, read past its metaclass: a program's metaclass may refuse every
    attribute, __name__ included."""
    return _NAME.__get__(type(value))


def exit_status(code):
    """What a SystemExit's code means, read as the interpreter reads it: (status, text). An int (a
    subclass too) is its value, never read through the program's __eq__ or __str__; None is 0; any
    other object is status 1 and its text, which the interpreter prints on standard error, as here."""
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
        text = safe_repr(code)
    try:
        import os

        os.write(2, (text + "\n").encode("utf-8", "backslashreplace"))
    except BaseException:
        pass
    return 1, text


def await_value(awaitable):
    import asyncio

    async def _await():
        return await awaitable

    return asyncio.run(_await())


def ok_record(value, quote):
    text, type_name = encode_value(value, quote)
    return '{"ok":true,"value":%s,"type":%s}' % (text, "null" if type_name is None else quote(type_name))


def encode_value(value, quote):
    """Returns (json_text, type_name); type_name is set when the value had to become its text form."""
    kind = type(value)
    if kind is int:
        try:
            return str(value), None
        except ValueError:  # more digits than int->str allows
            return quote("<int of %d bits>" % value.bit_length()), "int"
    if isinstance(value, (dict, list, tuple)):
        import json

        try:
            # Nested values JSON cannot hold become their repr, like json.dumps(default=repr).
            return json.dumps(value, ensure_ascii=False, allow_nan=False, default=safe_repr), None
        except (TypeError, ValueError, RecursionError):
            pass
    return quote(safe_repr(value)), class_name(value)


def safe_repr(value):
    try:
        return repr(value)
    except BaseException as e:  # a broken __repr__ must not lose the result
        return "<%s object (repr failed: %s)>" % (class_name(value), class_name(e))


def exception_text(exc):
    """str(exc), or its repr when __str__ fails or returns something else than text."""
    try:
        text = str(exc)
        if type(text) is str:
            return text
    except BaseException:
        pass
    return safe_repr(exc)


def error_record(exc, source, namespace, quote, filename=FILENAME):
    try:
        text = format_traceback(exc, source, namespace, filename)
    except BaseException as e:
        text = "(traceback unavailable: %s)" % class_name(e)
    message = exception_text(exc)
    return '{"ok":false,"error":%s,"errorType":%s,"traceback":%s}' % (
        quote(message),
        quote(class_name(exc)),
        quote(text),
    )


def format_traceback(exc, source, namespace, filename=FILENAME):
    """The traceback from the program's first frame on, with its frames named filename (the code's
    name, FILENAME when it has none)."""
    import traceback

    lines = source.splitlines()

    def ours(frame):
        return frame.f_code.co_filename == "<string>" and frame.f_globals is namespace

    def drivers(frame):  # the driver's guard of standard-library names (python_driver.py), not the program's
        return frame.f_code.co_name == "find_spec" and "_StandardLibrary" in frame.f_globals

    tb = _TRACEBACK.__get__(exc)  # its own, past a subclass's property (which may give any object)
    while tb is not None and not ours(tb.tb_frame):
        tb = tb.tb_next
    # No frame of the program (a syntax error, a bad main() signature): the message says it all.
    summary = traceback.extract_tb(tb)
    kept = []
    walk = tb
    for frame_summary in summary:
        if walk is not None and ours(walk.tb_frame):
            frame_summary.filename = filename
            number = frame_summary.lineno
            if number and 0 < number <= len(lines):
                frame_summary._line = lines[number - 1]
        if walk is None or not drivers(walk.tb_frame):
            kept.append(frame_summary)
        walk = walk.tb_next if walk is not None else None
    summary = traceback.StackSummary.from_list(kept)
    if isinstance(exc, SyntaxError) and exc.filename == "<string>":
        exc.filename = filename
    try:
        text = "".join(traceback.format_exception_only(type(exc), exc))
    except BaseException:
        # A metaclass that refuses __module__ or __qualname__ (which the standard library reads), or a
        # __str__ that fails in its own way: the line as the interpreter would write it, from what
        # cannot refuse, and the frames are kept.
        text = "%s: %s\n" % (class_name(exc), exception_text(exc))
    if summary:
        text = "Traceback (most recent call last):\n" + "".join(summary.format()) + text
    return text
