# exxec: makes an environment's directory on the host and keeps it for as long as the environment's
# connection lives: sh -c "$(cat keeper.sh)" exxec-keeper PYTHON NODE KEEP
#
# Makes ROOT with mktemp -d (ROOT/w the workspace, ROOT/t exxec's scripts) and prints "root=ROOT",
# "path=$PATH" and "shell=$SHELL". Then waits for the line "probe" (exxec copied the scripts), runs
# probe.sh for PYTHON and NODE, and prints "ready". Then serves requests, a line each:
#   ID kill PID:START...   kills those calls (kill.sh) and prints "done ID"
#   ID int PID             sends SIGINT to a session's interpreter and prints "done ID"
# When its input ends, because exxec closed the environment or because the connection is gone (the
# JVM died, the network failed), it kills what is left of every call recorded in ROOT/calls and
# removes ROOT (with KEEP = "keep", only exxec's own files, the workspace stays).
python=$1 node=$2 keep=$3
trap '' HUP INT PIPE
umask 077
root=$(mktemp -d "${TMPDIR:-/tmp}/exxec-XXXXXXXXXX") || exit 1
mkdir "$root/w" "$root/t" || {
    rm -rf "$root"
    exit 1
}
printf 'root=%s\npath=%s\nshell=%s\n' "$root" "$PATH" "$SHELL"
cleanup() {
    if [ -f "$root/calls" ] && [ -f "$root/t/kill.sh" ]; then
        # shellcheck disable=SC2046
        sh "$root/t/kill.sh" $(cat "$root/calls")
    fi
    if [ "$keep" = keep ]; then
        rm -rf "$root/t" "$root/calls"
    else
        chmod -R u+rwx "$root" 2>/dev/null
        rm -rf "$root"
    fi
}
if ! read -r go || [ "$go" != probe ]; then
    cleanup
    exit 0
fi
sh "$root/t/probe.sh" "$root/t" "$python" "$node"
echo ready
while read -r id op args; do
    case $op in
    kill)
        # shellcheck disable=SC2086
        sh "$root/t/kill.sh" $args
        echo "done $id"
        ;;
    int)
        # shellcheck disable=SC2086
        kill -INT $args 2>/dev/null
        echo "done $id"
        ;;
    esac
done
cleanup
