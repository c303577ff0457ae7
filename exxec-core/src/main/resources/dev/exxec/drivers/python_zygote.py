# exxec's Python zygote: an interpreter that has started once and forks a fresh child for each
# one-shot execution, so that a call pays for a fork instead of an interpreter start. Children share
# nothing with each other: each is a copy of the zygote as it was before any program ran.
#
# Usage: python3 -I python_zygote.py DRIVER (python_driver.py; isolated, as every interpreter exxec
# starts for code, see python_driver.py). Standard input is the control channel:
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
# children still running with their sessions and descendants (each child is a child subreaper: a
# daemon that left its session is its descendant) and ends.
#
# Sandboxed ("python_zygote.py DRIVER --sandbox SETTINGS", SETTINGS a JSON object, run by bubblewrap
# with CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_SETPCAP kept in the sandbox's user namespace, the host's
# /proc bound): each spare is announced as "spare<TAB>PID" and waits until the host moved it into the
# cgroups of its future call and sent "exxec-armed/1<TAB>PID"; only then does it make the namespaces
# its call runs in: PID (its first child is that namespace's init, which reaps and, when the call's
# process ends, takes everything left in it along), mount (a fresh /proc of the new PID namespace
# with SETTINGS' "read_only" directories read-only and its "masked_files" and "masked_dirs" covered,
# a fresh /dev with the sandbox's devices bound again and its own /dev/shm of "tmp" bytes, read-only
# but for /dev/shm and /dev/pts, a fresh /tmp of "tmp" bytes with the sandbox's binds below /tmp
# bound again, the FIFO directory "fifos" hidden), IPC, cgroup (its own cgroups are its root) and,
# unless "net" is "host", network (only a loopback). The process that runs the call then drops every
# capability, takes the CPU time limit "cpu" seconds (soft; the hard one a second more; none for 0),
# loads the strict system call filter of the file "seccomp" (read once by the zygote at its start)
# and tells the zygote it is ready; calls wait for a ready spare. Calls thus share no process, no
# file outside the workspace, no device, no IPC, no socket. A spare that dies before it is ready is
# reported as "gone<TAB>PID"; when three in a row do, the zygote ends (making the namespaces is not
# possible here: the host falls back to a sandbox per call).
import json
import os
import re
import select
import signal
import socket
import sys


def _drop_capabilities(libc):
    """Drops every capability, for good: bounding set, ambient, effective, permitted, inheritable."""
    import ctypes

    PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if libc.syscall(126 if os.uname().machine in ("x86_64", "amd64") else 91, header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("CapEff:", "CapPrm:", "CapInh:", "CapBnd:", "CapAmb:")):
                if int(line.split()[1], 16) != 0:
                    raise OSError("capabilities left: " + line.strip())


def _install_seccomp(program):
    """Installs a seccomp program (exxec's SyscallFilter.STRICT.bpf(): struct sock_filter records in
    native byte order), given as bytes or as the path of a file holding them, on this process for
    good: from here on it and what it starts run under it, stacked on the zygote's own filter (the
    stricter answer wins). Read the file once, in the zygote before any call ran, and pass the bytes:
    then nothing a call could reach is consulted later. Only the calling thread is filtered, so call it
    while the process has no other thread (the zygote's children have none). Raises OSError when the
    kernel refuses it: a call must never run unfiltered."""
    import ctypes

    PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
    if not isinstance(program, (bytes, bytearray)):
        with open(program, "rb") as f:
            program = f.read()
    if not program or len(program) % 8 or len(program) // 8 > 4096:
        raise OSError("not a seccomp program (%d bytes)" % len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    instructions = ctypes.create_string_buffer(bytes(program), len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(instructions, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    # prctl is variadic: every argument is passed as the unsigned long the kernel reads.
    ulong = ctypes.c_ulong
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "prctl(PR_SET_NO_NEW_PRIVS): " + os.strerror(e))
    if libc.prctl(PR_SET_SECCOMP, ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), ulong(0), ulong(0)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "prctl(PR_SET_SECCOMP): " + os.strerror(e))


def _isolate(libc, settings):
    """In the new mount namespace, as init of the new PID namespace: the call's own view."""
    import ctypes

    MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
        1, 2, 4, 8, 32, 4096, 16384, 1 << 18)

    def mount(source, target, fstype, flags, data=None):
        if libc.mount(source, target, fstype, flags, data) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "mount %s: %s" % (target.decode(), os.strerror(e)))

    def read_only(target, flags=0):
        mount(b"none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | flags)

    mount(b"none", b"/", None, MS_REC | MS_PRIVATE)
    # The sandbox's own devices, held open while a fresh /dev is mounted over them (a user namespace
    # cannot make device nodes, only bind them again).
    devices = {}
    for name in ("null", "zero", "full", "random", "urandom", "tty"):
        try:
            devices[name] = os.open("/dev/" + name, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            pass
    mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # As the host side masks a call's own sandbox: what could change the kernel is read-only, what
    # shows its state or the host's is covered.
    for cover in settings["read_only"]:
        target = cover.encode()
        if os.path.exists(cover):
            mount(target, target, None, MS_BIND | MS_REC)
            read_only(target, MS_NOEXEC)
    null = b"/proc/self/fd/%d" % devices["null"]
    for cover in settings["masked_files"]:
        target = cover.encode()
        if os.path.lexists(cover):
            mount(null, target, None, MS_BIND)
            read_only(target, MS_NOEXEC)
    for cover in settings["masked_dirs"]:
        target = cover.encode()
        if os.path.isdir(cover):
            mount(b"tmpfs", target, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0555")
            read_only(target, MS_NOEXEC)
    # A /dev of the call's own: no file one call leaves there is seen by the next, /dev/shm is sized
    # like /tmp and its pages count against the call's memory limit, and all but /dev/shm and
    # /dev/pts is read-only (a call cannot replace /dev/stdout for the next).
    mount(b"tmpfs", b"/dev", b"tmpfs", MS_NOSUID | MS_NOEXEC, b"size=64k,nr_inodes=64,mode=0755")
    for name, fd in devices.items():
        target = ("/dev/" + name).encode()
        open(target, "a").close()
        mount(b"/proc/self/fd/%d" % fd, target, None, MS_BIND)
        os.close(fd)
    for link, points in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")):
        os.symlink(points, "/dev/" + link)
    os.mkdir("/dev/shm")
    mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=%d,mode=1777" % settings["tmp"])
    os.mkdir("/dev/pts")
    mount(b"devpts", b"/dev/pts", b"devpts", MS_NOSUID | MS_NOEXEC, b"newinstance,ptmxmode=0666,mode=620")
    read_only(b"/dev", MS_NOEXEC)
    # The sandbox's binds below /tmp (the policy's, an interpreter's installation) stay: held open
    # while the fresh /tmp is mounted, then bound again at their places, as they were.
    kept = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            if point.startswith("/tmp/") and not any(point.startswith(k[0] + "/") for k in kept):
                options = set(fields[5].split(","))
                flags = 0
                for name, flag in (("ro", MS_RDONLY), ("nosuid", MS_NOSUID), ("nodev", MS_NODEV), ("noexec", MS_NOEXEC)):
                    if name in options:
                        flags |= flag
                for k in [k for k in kept if k[0] == point]:  # mounted over: the later one is seen
                    os.close(k[2])
                    kept.remove(k)
                kept.append((point, flags, os.open(point, os.O_PATH | os.O_CLOEXEC)))
    mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=%d,mode=1777" % settings["tmp"])
    for point, flags, fd in kept:
        held = "/proc/self/fd/%d" % fd
        if os.path.isdir(held):
            os.makedirs(point, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(point), exist_ok=True)
            open(point, "a").close()
        mount(held.encode(), point.encode(), None, MS_BIND | MS_REC)
        mount(b"none", point.encode(), None, MS_REMOUNT | MS_BIND | flags)
        os.close(fd)
    mount(b"tmpfs", settings["fifos"].encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0")
    if settings["net"] != "host":
        import fcntl
        import struct

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            ifreq = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
            fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP


def _zygote():
    driver_path = sys.argv[1]
    sandbox = None
    if len(sys.argv) > 2 and sys.argv[2] == "--sandbox":
        import ctypes

        sandbox = json.loads(sys.argv[3])
        sandbox["libc"] = ctypes.CDLL(None, use_errno=True)
        # Read once, before any call ran: a child never consults a file when it loads the filter.
        with open(sandbox["seccomp"], "rb") as f:
            sandbox["filter"] = f.read()
    namespace = {"__name__": "exxec_driver", "__builtins__": __builtins__}
    with open(driver_path, "rb") as f:
        exec(compile(f.read(), driver_path, "exec"), namespace)
    driver = namespace["_driver"]
    become_subreaper = namespace["_become_subreaper"]
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
        if len(fields) == 2 and fields[0] in ("exxec-opened/1", "exxec-armed/1"):
            pending = pending[nl + 1 :]
            return (fields[0][6:-2], fields[1])
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

    def forget_zygote():
        # Still a copy of the zygote: drop what is the zygote's.
        for fd in [control, out] + list(children) + [h for pair in holds.values() for h in pair]:
            os.close(fd)
        if spare is not None:
            os.close(spare[0])
            spare[2].close()

    def wait_for_call(sock):
        # Do before the call comes what does not depend on it (each costs a copy of memory shared
        # with the zygote, on first write).
        os.setsid()
        if sandbox is None:
            # What leaves the call's session and is orphaned becomes this child's: found with it.
            become_subreaper()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        code = 70
        try:
            if sandbox is not None:
                try:
                    sock.sendall(b"R")
                except OSError:
                    os._exit(0)  # the zygote is gone
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

    def exit_code(status):
        code = os.waitstatus_to_exitcode(status)
        return 128 - code if code < 0 else code

    def sandboxed_spare(sock):
        """Waits to be armed (in its call's cgroup), then makes the call's namespaces; never returns."""
        try:
            if sock.recv(1) != b"A":
                os._exit(0)
            libc = sandbox["libc"]
            # CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWCGROUP (its cgroups are its root, as
            # in a sandbox of its own)
            flags = 0x00020000 | 0x20000000 | 0x08000000 | 0x02000000
            if sandbox["net"] != "host":
                flags |= 0x40000000  # CLONE_NEWNET
            if libc.unshare(flags) != 0:
                raise OSError("unshare failed")
            init = os.fork()
            if init == 0:
                # The init of the call's PID namespace: when it ends, everything in it is killed.
                _isolate(libc, sandbox)
                worker = os.fork()
                if worker == 0:
                    _drop_capabilities(libc)
                    if sandbox["cpu"] > 0:
                        import resource

                        resource.setrlimit(resource.RLIMIT_CPU, (sandbox["cpu"], sandbox["cpu"] + 1))
                    # The strict system call filter, stacked on the zygote's: from here on nothing
                    # unshares or mounts again. A child the kernel refuses it to dies unused.
                    _install_seccomp(sandbox["filter"])
                    wait_for_call(sock)  # never returns
                sock.close()
                while True:
                    pid, status = os.waitpid(-1, 0)
                    if pid == worker:
                        os._exit(exit_code(status))
            sock.close()
            _, status = os.waitpid(init, 0)
            os._exit(exit_code(status))
        except BaseException:
            traceback.print_exc()
            os._exit(71)

    def prefork():
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            ours.close()
            forget_zygote()
            if sandbox is not None:
                sandboxed_spare(theirs)  # never returns
            wait_for_call(theirs)  # never returns
        theirs.close()
        if sandbox is not None:
            say("spare\t%d" % pid)
        return [os.pidfd_open(pid), pid, ours, sandbox is None]  # the last: ready for a call

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
            pidfd, pid, sock, _ = spare
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

    def kill_tree(pids):
        """Kills the children pids, their sessions and all their descendants (what a child, a
        subreaper, adopted included), a few rounds so that what forks meanwhile goes too. The
        descendants go first: orphaned, they would be init's, out of reach."""
        for _ in range(5):
            parents = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open("/proc/%s/stat" % entry, "rb") as f:
                            fields = f.read().rsplit(b")", 1)[1].split()
                        if fields[0] not in (b"Z", b"X"):
                            parents.setdefault(int(fields[1]), []).append(int(entry))
                    except (OSError, IndexError, ValueError):
                        pass
            found = []
            walk = list(pids)
            while walk:
                for child in parents.get(walk.pop(), []):
                    found.append(child)
                    walk.append(child)
            if not found and not any(os.path.exists("/proc/%d" % p) for p in pids):
                return
            for pid in found:
                kill(pid)
            for pid in pids:
                kill(pid)

    queue = []  # calls waiting for a ready spare (sandboxed only)
    lost = 0  # spares that died before they were ready, in a row

    def dispatch():
        while queue and (sandbox is None or (spare is not None and spare[3])):
            body = queue.pop(0)
            try:
                fork(body)
            except OSError as e:
                call_id = json.loads(body.decode("utf-8"))["id"]
                for fd in holds.pop(call_id, []):
                    os.close(fd)
                say("failed\t%s\t%s" % (call_id, str(e).replace("\t", " ").replace("\n", " ")))

    try:
        spare = prefork()
        say("ready")
        while True:
            if spare is None:
                spare = prefork()
            waited = [control, spare[0]] + list(children)
            if sandbox is not None and not spare[3]:
                waited.append(spare[2])
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
                        elif kind == "armed":
                            if spare is not None and spare[1] == int(value):
                                spare[2].sendall(b"A")
                        else:
                            queue.append(value)
                    dispatch()
                elif spare is not None and ready == spare[2]:
                    if spare[2].recv(1) == b"R":
                        spare[3] = True
                        lost = 0
                        dispatch()
                    # else it died: its pidfd says so
                elif spare is not None and ready == spare[0]:
                    # The spare died before its call (killed from outside, or it could not make its
                    # namespaces): another takes its place.
                    pidfd, pid, sock, _ = spare
                    spare = None
                    sock.close()
                    os.close(pidfd)
                    os.waitpid(pid, 0)
                    if sandbox is not None:
                        say("gone\t%d" % pid)
                        lost += 1
                        if lost >= 3:
                            return
                elif ready in children:
                    call_id, pid = children.pop(ready)
                    os.close(ready)
                    _, status = os.waitpid(pid, 0)
                    say("exit\t%s\t%d" % (call_id, exit_code(status)))
    finally:
        if spare is not None:
            spare[2].close()
            kill(spare[1])
        if sandbox is None:
            kill_tree([pid for _, pid in children.values()])
        else:
            for _, pid in children.values():
                kill(pid)

_zygote()
