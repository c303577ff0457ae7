# exxec: starts one call's process in the container: sh run.sh UNSET COMMAND [ARG...]
#
# UNSET names variables, comma-separated ("-" for none), that the container has but the call's caller
# did not set (Docker's HOSTNAME): the program gets only its own.
# Then the first line on standard error is "<RS>exxec-call:PID START" (RS = octal 036), where PID is
# this process's pid, which the command keeps, and START that pid's start time in clock ticks since
# boot: exxec takes the line out of the output and passes both to kill.sh to end the call. Then it
# becomes the command, leading a session of its own when setsid can make one without forking.
# What earlier calls left running was ended before this exec was made: the call's variables, which
# any process of the same user could read in /proc, never meet a leftover.
IFS=,
for name in $1; do
    [ "$name" = - ] || unset "$name"
done
unset IFS
shift
starttime() { shift 19; start=$1; }
read -r stat < /proc/$$/stat
starttime ${stat##*) }
printf '\036exxec-call:%s %s\n' "$$" "$start" >&2
leader() { [ "$3" = "$$" ]; }
# The call runs at the lowest priority there is (SCHED_IDLE, which no process without CAP_SYS_NICE
# leaves again): against the container's other processes only, since the container is a scheduling
# group of its own, so that exxec's killer (kill.sh, as root) gets the processor when it must end the
# call. Hundreds of processes of a fork bomb at the same priority as the killer made one scan of /proc
# take tens of seconds. Set on this process from a child, so that a runtime or an image where it
# cannot be set (no chrt) runs the call all the same.
if command -v chrt >/dev/null 2>&1; then
    chrt -i -p 0 $$ >/dev/null 2>&1
fi
if command -v setsid >/dev/null 2>&1 && ! leader ${stat##*) }; then
    exec setsid "$@"
fi
exec "$@"
