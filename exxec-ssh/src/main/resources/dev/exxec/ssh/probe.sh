# exxec: what the host offers: sh probe.sh TOOLS PYTHON NODE
# Prints key=value lines: os, proc (when /proc is there), python (its real executable and version), node (likewise), typescript
# (runner, transpiler), deno, bash, setsid; compiles the Python driver in TOOLS for the host's Python.
# Python and Node.js are asked at the same time, once each, for their real executables, so that a
# launcher shim (pyenv, nvm) costs nothing per call.
tools=$1 python=$2 node=$3
echo "os=$(uname -s 2>/dev/null) $(uname -r 2>/dev/null)"
# Calls are found, and killed, through /proc.
[ -r /proc/$$/stat ] && echo "proc=yes"
probe_python() {
    p=$(command -v "$python" 2>/dev/null) || return 0
    "$p" -c '
import os, sys, py_compile
if sys.version_info[0] != 3:
    sys.exit(1)
py_compile.compile(sys.argv[1] + "/python_driver.py", cfile=sys.argv[1] + "/python_driver.pyc", doraise=True)
print("python=%s %d.%d.%d" % ((os.path.realpath(sys.executable),) + tuple(sys.version_info[:3])))
' "$tools" 2>/dev/null
}
probe_node() {
    n=$(command -v "$node" 2>/dev/null) || return 0
    "$n" -e '
        const fs = require("fs"), path = require("path");
        const [tsx, tsNode] = process.argv.slice(1);
        console.log("node=" + fs.realpathSync(process.execPath) + " " + process.versions.node);
        for (const [runner, file, module] of [["tsx", tsx, "esbuild"], ["ts-node", tsNode, "typescript"]]) {
            if (!file) continue;
            try {
                let d = path.dirname(fs.realpathSync(file));
                while (d !== "/" && !fs.existsSync(path.join(d, "package.json"))) d = path.dirname(d);
                const resolved = require.resolve(module, {paths: [d]});
                // esbuild has had transformSync since its start; TypeScript 7 dropped transpileModule.
                if (module === "typescript" && typeof require(resolved).transpileModule !== "function") continue;
                console.log("typescript=" + runner + " " + module + ":" + resolved);
                break;
            } catch (e) {
                // not usable: the next runner
            }
        }
    ' "$(command -v tsx 2>/dev/null)" "$(command -v ts-node 2>/dev/null)" 2>/dev/null
}
probe_python &
probe_node &
wait
if d=$(command -v deno 2>/dev/null); then
    echo "deno=$d"
fi
command -v bash >/dev/null 2>&1 && echo "bash=$(command -v bash)"
command -v setsid >/dev/null 2>&1 && echo "setsid=$(command -v setsid)"
exit 0
