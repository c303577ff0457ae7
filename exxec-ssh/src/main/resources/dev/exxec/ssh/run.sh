# exxec: starts one call's process on the host: sh run.sh ROOT SWEEP CWD INPUT UNSET VARIABLES COMMAND [ARG...]
#
# ROOT is the environment's directory (its workspace is ROOT/w, these scripts are in ROOT/t).
# SWEEP lists calls that ended, "PID:START,..." ("-" for none), whose leftovers kill.sh ends first.
# The call is recorded in ROOT/calls, so that the environment's end kills what is left of it, and its
# first line on standard error is "<RS>exxec-call:PID START" (RS = octal 036), where PID is this
# process's pid, which the command keeps, and START that pid's start time in clock ticks since boot:
# exxec takes the line out of the output and passes both to kill.sh to end the call. Its first line
# on standard output, unless that is a terminal, is "<RS>exxec-out".
# INPUT, unless "-", is a file that becomes the command's standard input and is then removed.
# Then it changes to CWD, unsets the variables UNSET names, comma-separated ("-" for none: changing
# directory sets PWD and OLDPWD, which the caller did not), and becomes the command, leading a
# session of its own.
# VARIABLES is a file (mode 0600) of "command export NAME='value'" lines: the command's variables,
# which never appear on a command line. It is opened and removed first, and read last, so that what
# it sets changes nothing in this script; the command sees these variables and no others.
root=$1 sweep=$2 cwd=$3 input=$4 unset=$5 variables=$6
shift 6
exec 9<"$variables" || exit 126
rm -f "$variables"
IFS=,
# shellcheck disable=SC2086
[ "$sweep" = - ] || sh "$root/t/kill.sh" $sweep
unset IFS
starttime() { shift 19; start=$1; }
read -r stat </proc/$$/stat
starttime ${stat##*) }
printf '%s:%s\n' "$$" "$start" >>"$root/calls"
# What the login shell's start-up files printed came before these lines, and is dropped.
[ -t 1 ] || printf '\036exxec-out\n'
printf '\036exxec-call:%s %s\n' "$$" "$start" >&2
if [ "$input" != - ]; then
    exec <"$input"
    rm -f "$input"
fi
cd -- "$cwd" 2>/dev/null || {
    printf 'exxec: the working directory %s does not exist\n' "$cwd" >&2
    exit 126
}
IFS=,
for name in $unset; do
    [ "$name" = - ] || unset "$name"
done
unset IFS
leader() { [ "$3" = "$$" ]; }
# Found with this PATH, and kept where the variables cannot change it: in the arguments.
if ! leader ${stat##*) } && setsid=$(command -v setsid 2>/dev/null); then
    set -- "$setsid" "$@"
fi
unset PATH
# shellcheck disable=SC1090
. /proc/self/fd/9
exec 9<&-
exec "$@"
