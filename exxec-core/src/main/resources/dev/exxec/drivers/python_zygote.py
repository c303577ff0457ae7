# exxec's Python zygote: an interpreter that has started once and forks a fresh child for each
# one-shot execution, so that a call pays for a fork instead of an interpreter start. Children share
# nothing with each other: each is a copy of the zygote as it was before any program ran.
#
# Usage: python3 python_zygote.py DRIVER (python_driver.py). Standard input is the control channel:
# per call a line "exxec-fork/1<TAB>LENGTH" and LENGTH bytes of JSON {"id", "cwd", "env", "out",
# "err", "request"}: the zygote makes the FIFOs "out" and "err", forks, and prints
# "started<TAB>ID<TAB>PID". The child first opens the FIFOs (which waits for the reader), then leads
# a new session, reads nothing, takes exactly "env" as its variables and "cwd" as its directory, and
# runs "request" (python_driver.py's protocol) as the driver would. When it ends, the zygote prints
# "exit<TAB>ID<TAB>CODE" (128 + n for signal n). The zygote stays single-threaded, so that forking is safe. At the end of its
# input it kills the process groups of the children still running and ends.
import json
import os
import select
import signal
import sys


def _zygote():
    driver_path = sys.argv[1]
    namespace = {"__name__": "exxec_driver", "__builtins__": __builtins__}
    with open(driver_path, "rb") as f:
        exec(compile(f.read(), driver_path, "exec"), namespace)
    driver = namespace["_driver"]
    # Modules every call imports anyway (the driver's own, and what python_support.py needs on an
    # error) are imported once here, before any fork.
    import io
    import traceback  # noqa: F401

    control = os.dup(0)
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.set_inheritable(control, False)
    os.set_inheritable(out, False)
    pending = b""
    children = {}  # pidfd -> (id, pid)

    def say(line):
        data = line.encode("utf-8") + b"\n"
        while data:
            data = data[os.write(out, data) :]

    def read_request():
        nonlocal pending
        nl = pending.find(b"\n")
        if nl < 0:
            return None
        fields = pending[:nl].decode("utf-8").split("\t")
        if len(fields) != 2 or fields[0] != "exxec-fork/1":
            raise ValueError("bad request header %r" % (fields,))
        length = int(fields[1])
        if len(pending) - nl - 1 < length:
            return None
        body = pending[nl + 1 : nl + 1 + length]
        pending = pending[nl + 1 + length :]
        return json.loads(body.decode("utf-8"))

    def child(call):
        code = 70
        try:
            # The FIFOs first: until the child opens them its reader waits, so nothing may fail before.
            o = os.open(call["out"], os.O_WRONLY)
            e = os.open(call["err"], os.O_WRONLY)
            os.dup2(o, 1)
            os.dup2(e, 2)
            os.close(o)
            os.close(e)
            os.setsid()
            for fd in [control, out] + list(children):
                os.close(fd)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            os.chdir(call["cwd"])
            os.environ.clear()
            os.environ.update(call["env"])
            code = 0
            driver(io.BytesIO(call["request"].encode("utf-8")))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 70
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException:
                pass
            os._exit(code)

    def fork(call):
        os.mkfifo(call["out"], 0o600)
        os.mkfifo(call["err"], 0o600)
        pid = os.fork()
        if pid == 0:
            child(call)
        children[os.pidfd_open(pid)] = (call["id"], pid)
        say("started\t%s\t%d" % (call["id"], pid))

    try:
        while True:
            readable, _, _ = select.select([control] + list(children), [], [])
            for fd in readable:
                if fd == control:
                    chunk = os.read(control, 65536)
                    if not chunk:
                        return
                    pending += chunk
                    while True:
                        call = read_request()
                        if call is None:
                            break
                        try:
                            fork(call)
                        except OSError as e:
                            say("failed\t%s\t%s" % (call["id"], str(e).replace("\t", " ").replace("\n", " ")))
                else:
                    call_id, pid = children.pop(fd)
                    os.close(fd)
                    _, status = os.waitpid(pid, 0)
                    code = os.waitstatus_to_exitcode(status)
                    say("exit\t%s\t%d" % (call_id, 128 - code if code < 0 else code))
    finally:
        for _, pid in children.values():
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass


_zygote()
