# exxec: kills calls on request, as root, for as long as the container lives: sh killer.sh
#
# Reads lines "ID PID START [PID START]..." and answers each with "done ID" once kill.sh's kill_calls
# ended those calls. One exec for the environment's life: an exec per sweep cost tens of milliseconds,
# and every call waits for the sweep of the calls before it. kill.sh is sourced, not run: a kill then
# needs no new process, which a fork bomb may have left none of. Made by exxec, not by the code's
# user, which can neither signal nor trace it.
trap '' HUP INT PIPE TERM
. "${0%/*}/kill.sh"
while read -r id calls; do
    # shellcheck disable=SC2086
    kill_calls $calls
    echo "done $id"
done
