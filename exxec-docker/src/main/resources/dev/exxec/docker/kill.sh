# exxec: kills calls in the container: sh kill.sh ROOT START [ROOT START]...
#
# ROOT is a call's first pid (run.sh's) and START its start time in clock ticks since boot. Kills,
# among the processes started since the earliest START, each ROOT, its descendants, its session and
# its process group, and every process re-parented to the container's first process (a daemon that
# detached from a call; one of a call that overlapped these goes too), but never the container's
# first process or what it started itself. Repeats until nothing is left,
# so processes forking meanwhile are caught too. Needs only sh and /proc, and forks nothing: killer.sh
# sources it and kills without a free process slot (a fork bomb took them all). Nothing here may
# fork, not even a here-document (dash forks to write one longer than a pipe's buffer).
#
# First, while a ROOT still runs as the same process (its start time is START), its process group
# goes in one kill, before any scan: a fork bomb that stayed in the group (run.sh made the call its
# own group) is gone at once, however many processes it made, and the kernel lets no fork escape a
# group kill. What is left is then stopped before anything more is killed: round after round, each
# process of the calls found in /proc that is not yet stopped is. A stopped process cannot fork, and
# as none dies, none frees a process slot or leaves its parent, so the tree stays whole and a fork
# bomb whose every process left its session and group stops growing. When a round finds none new,
# all of them are killed at once, and rounds go on until one finds nothing new again (a killed
# process may still show while it ends: it can never fork). Killing each as it was found freed slots
# that the bomb's other processes forked into faster than a scan could find them. run.sh runs the
# calls at the lowest priority, so that the scan is not starved by them.
#
# A process names itself as it likes (prctl PR_SET_NAME, the name of a file it runs), a line feed
# included, which splits its line of /proc/PID/stat: the file is read whole, and a short or odd one is
# passed over. A shift short of arguments would end this shell, and with it the killer.
stat_of() {
    line=
    while IFS= read -r l; do line="$line$l "; done
    line="$line$l"
    case $line in *") "*) ;; *) return 1 ;; esac
}
fields() {
    [ $# -ge 20 ] || return 1
    state=$1 ppid=$2 pgrp=$3 sid=$4
    shift 19
    st=$1
}
kill_calls() {
    roots=" " start=
    while [ $# -ge 2 ]; do
        roots="$roots$1 "
        if [ -z "$start" ] || [ "$2" -lt "$start" ]; then start=$2; fi
        # shellcheck disable=SC2086
        if stat_of 2>/dev/null < "/proc/$1/stat" && fields ${line##*) }; then
            # the same process, and the leader of its group: the group is the call's
            [ "$st" = "$2" ] && [ "$pgrp" = "$1" ] && kill -9 "-$1" 2>/dev/null
        fi
        shift 2
    done
    [ -n "$start" ] || return 0
    # seen: "PID:START" of each process found (and stopped) so far; killed: whether all of them were
    # killed since the last round that found one new.
    seen=" " killed=0
    round=0
    while [ "$round" -lt 100 ]; do
        round=$((round + 1))
        table=
        for d in /proc/[0-9]*; do
            p=${d#/proc/}
            case $p in 1 | "$$") continue ;; esac
            stat_of 2>/dev/null < "$d/stat" || continue
            # shellcheck disable=SC2086
            fields ${line##*) } || continue
            [ "$state" = Z ] && continue
            # Session 1 is the container's first process's own (its sleep): no call can join it.
            [ "$sid" = 1 ] && continue
            [ "$st" -ge "$start" ] || continue
            table="$table $p $ppid $pgrp $sid $st"
        done
        marked=" " new=" "
        changed=1
        while [ "$changed" = 1 ]; do
            changed=0
            # shellcheck disable=SC2086
            set -- $table
            while [ $# -ge 5 ]; do
                p=$1 pp=$2 pg=$3 s=$4 t=$5
                shift 5
                case "$marked" in *" $p "*) continue ;; esac
                hit=0
                case "$roots" in *" $p "* | *" $pg "* | *" $s "*) hit=1 ;; esac
                if [ "$pp" = 1 ]; then
                    hit=1
                else
                    case "$marked" in *" $pp "*) hit=1 ;; esac
                fi
                if [ "$hit" = 1 ]; then
                    marked="$marked$p "
                    case "$seen" in *" $p:$t "*) ;; *) new="$new$p " seen="$seen$p:$t " ;; esac
                    changed=1
                fi
            done
        done
        if [ "$new" = " " ]; then
            [ "$killed" = 1 ] && return 0
            # shellcheck disable=SC2086
            kill -9 $marked 2>/dev/null
            killed=1
        else
            # shellcheck disable=SC2086
            kill -STOP $new 2>/dev/null
            killed=0
        fi
    done
    # Given up: what was found is killed all the same, never left stopped.
    # shellcheck disable=SC2086
    kill -9 $marked 2>/dev/null
    return 1
}
case $0 in */kill.sh | kill.sh)
    kill_calls "$@"
    exit
    ;;
esac
