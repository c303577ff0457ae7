# exxec: what the image offers: sh probe.sh PYTHON NODE
# Prints key=value lines: python (path and version), node (path and version), typescript (runner,
# transpiler), deno, bash, setsid; compiles the Python driver for the image's Python. Python and
# Node.js are asked at the same time, once each.
python=$1 node=$2
probe_python() {
    p=$(command -v "$python" 2>/dev/null) || return 0
    "$p" -c '
import sys, py_compile
if sys.version_info[0] != 3:
    sys.exit(1)
py_compile.compile("/opt/exxec/python_driver.py", cfile="/opt/exxec/python_driver.pyc", doraise=True)
print("python=%s %d.%d.%d" % ((sys.argv[1],) + tuple(sys.version_info[:3])))
' "$p" 2>/dev/null
}
probe_node() {
    n=$(command -v "$node" 2>/dev/null) || return 0
    "$n" -e '
        const fs = require("fs"), path = require("path");
        const [exe, tsx, tsNode] = process.argv.slice(1);
        console.log("node=" + exe + " " + process.versions.node);
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
    ' "$n" "$(command -v tsx 2>/dev/null)" "$(command -v ts-node 2>/dev/null)" 2>/dev/null
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
