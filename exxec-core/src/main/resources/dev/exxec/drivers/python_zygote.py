# exxec's Python zygote: an interpreter that has started once and forks a fresh child for each
# one-shot execution, so that a call pays for a fork instead of an interpreter start. Children share
# nothing with each other: each is a copy of the zygote as it was before any program ran.
#
# Usage: python3 python_zygote.py DRIVER (python_driver.py). Standard input is the control channel:
#   "exxec-fork/1<TAB>LENGTH" and LENGTH bytes of JSON {"id", "cwd", "env", "out", "err", "request"}:
#       the zygote makes the FIFOs "out" and "err" and holds them open, hands the call to its spare
#       child, and prints "started<TAB>ID<TAB>PID". The child writes its output to the FIFOs (the
#       zygote opens their writing ends at once, as its hold is a reader, and passes them on), leads a
#       new session, reads nothing, takes exactly "env" as its variables and "cwd"
#       as its directory, and runs "request" (python_driver.py's protocol) as the driver would. When
#       it ends, the zygote prints "exit<TAB>ID<TAB>CODE" (128 + n for signal n).
#   "exxec-opened/1<TAB>ID": the reader opened the call's FIFOs; the zygote lets go of its hold, so
#       that the reader sees the end of the output when the child and what it started are gone. Until
#       then, output the child wrote before the reader came stays in the FIFO.
# The zygote prints "ready" once it can take calls. The spare child is forked ahead of its call, so that neither the fork nor the set-up that does not
# depend on the call (its session, its SIGINT handler, an empty environment) is on the call's time.
# It waits for its call on a socket, and is a copy of the zygote made before any program ran: no
# two calls ever share one. The zygote stays single-threaded, so that forking is safe. At the end of its input it kills the
# process groups of the children still running and ends.
import json
import os
import select
import signal
import socket
import sys


def _zygote():
    driver_path = sys.argv[1]
    namespace = {"__name__": "exxec_driver", "__builtins__": __builtins__}
    with open(driver_path, "rb") as f:
        exec(compile(f.read(), driver_path, "exec"), namespace)
    driver = namespace["_driver"]
    # Modules every call imports anyway (the driver's own, and what python_support.py needs on an
    # error) are imported once here, before any fork.
    import gc
    import io
    import traceback

    # Objects made so far are never collected: a child then leaves their pages shared with the zygote.
    gc.freeze()
    control = os.dup(0)
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.set_inheritable(control, False)
    os.set_inheritable(out, False)
    pending = b""
    children = {}  # pidfd -> (id, pid) of the children running a call
    holds = {}  # id -> the zygote's own descriptors of the call's FIFOs, until its reader opened them
    spare = None  # (pidfd, pid, socket) of the child waiting for the next call

    def say(line):
        data = line.encode("utf-8") + b"\n"
        while data:
            data = data[os.write(out, data) :]

    def read_request():
        """The next complete request: ("fork", call) or ("opened", id); None until one is complete."""
        nonlocal pending
        nl = pending.find(b"\n")
        if nl < 0:
            return None
        fields = pending[:nl].decode("utf-8").split("\t")
        if len(fields) == 2 and fields[0] == "exxec-opened/1":
            pending = pending[nl + 1 :]
            return ("opened", fields[1])
        if len(fields) != 2 or fields[0] != "exxec-fork/1":
            raise ValueError("bad request header %r" % (fields,))
        length = int(fields[1])
        if len(pending) - nl - 1 < length:
            return None
        body = pending[nl + 1 : nl + 1 + length]
        pending = pending[nl + 1 + length :]
        return ("fork", body)

    def receive(sock):
        """The call and its two output descriptors; exits when the zygote is gone."""
        data, fds, _, _ = socket.recv_fds(sock, 65536, 2)
        if not data or len(fds) != 2:
            os._exit(0)
        nl = data.find(b"\n")
        length = int(data[:nl])
        data = data[nl + 1 :]
        while len(data) < length:
            more = sock.recv(max(65536, length - len(data)))
            if not more:
                os._exit(0)
            data += more
        return json.loads(data.decode("utf-8")), fds

    def wait_for_call(sock):
        # Still a copy of the zygote: drop what is the zygote's, and do before the call comes what does
        # not depend on it (each costs a copy of memory shared with the zygote, on first write).
        for fd in [control, out] + list(children) + [h for pair in holds.values() for h in pair]:
            os.close(fd)
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        code = 70
        try:
            call, ends = receive(sock)
            sock.close()
            os.dup2(ends[0], 1)
            os.dup2(ends[1], 2)
            os.close(ends[0])
            os.close(ends[1])
            os.chdir(call["cwd"])
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

    def prefork():
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            ours.close()
            wait_for_call(theirs)  # never returns
        theirs.close()
        return (os.pidfd_open(pid), pid, ours)

    def fork(body):
        nonlocal spare
        call = json.loads(body.decode("utf-8"))
        call_id = call["id"]
        os.mkfifo(call["out"], 0o600)
        os.mkfifo(call["err"], 0o600)
        # Opening a FIFO for reading and writing never waits; the writing ends then open at once too.
        # Both are open before the reader hears of the call: it may remove the FIFOs once it opened them.
        holds[call_id] = [os.open(call[k], os.O_RDWR | os.O_CLOEXEC) for k in ("out", "err")]
        ends = [os.open(call[k], os.O_WRONLY | os.O_CLOEXEC) for k in ("out", "err")]
        try:
            if spare is None:
                spare = prefork()
            pidfd, pid, sock = spare
            spare = None
            try:
                socket.send_fds(sock, [b"%d\n" % len(body)], ends)
                sock.sendall(body)
            finally:
                sock.close()
        finally:
            for fd in ends:
                os.close(fd)
        children[pidfd] = (call_id, pid)
        say("started\t%s\t%d" % (call_id, pid))
        return call_id

    def kill(pid):
        for how in (os.killpg, os.kill):
            try:
                how(pid, signal.SIGKILL)
            except OSError:
                pass

    try:
        spare = prefork()
        say("ready")
        while True:
            if spare is None:
                spare = prefork()
            waited = [control] + ([spare[0]] if spare is not None else []) + list(children)
            readable, _, _ = select.select(waited, [], [])
            for ready in readable:
                if ready == control:
                    chunk = os.read(control, 65536)
                    if not chunk:
                        return
                    pending += chunk
                    while True:
                        request = read_request()
                        if request is None:
                            break
                        kind, value = request
                        if kind == "opened":
                            for fd in holds.pop(value, []):
                                os.close(fd)
                            continue
                        try:
                            fork(value)
                        except OSError as e:
                            call_id = json.loads(value.decode("utf-8"))["id"]
                            for fd in holds.pop(call_id, []):
                                os.close(fd)
                            say("failed\t%s\t%s" % (call_id, str(e).replace("\t", " ").replace("\n", " ")))
                elif spare is not None and ready == spare[0]:
                    # The spare died before its call (killed from outside): another takes its place.
                    pidfd, pid, sock = spare
                    spare = None
                    sock.close()
                    os.close(pidfd)
                    os.waitpid(pid, 0)
                elif ready in children:
                    call_id, pid = children.pop(ready)
                    os.close(ready)
                    _, status = os.waitpid(pid, 0)
                    code = os.waitstatus_to_exitcode(status)
                    say("exit\t%s\t%d" % (call_id, 128 - code if code < 0 else code))
    finally:
        if spare is not None:
            spare[2].close()
            kill(spare[1])
        for _, pid in children.values():
            kill(pid)


_zygote()
