# exxec: kills calls on the host: sh kill.sh PID:START [PID:START]...
#
# PID is a call's first pid (run.sh's) and START its start time in clock ticks since boot. Kills each
# call's first process, its descendants, its session and its process group; a process counts as the
# call's only when it started no earlier than the call, and a session or group only while its leader
# is the call's own or gone, so that a pid the system gave to another process since is left alone.
# Repeats until nothing is left, so processes forking meanwhile are caught too. Needs only sh and
# /proc, and forks nothing (not even for a here-document): a fork bomb of the call may have used up
# every process this user may have. Never touches what the call did not start: on a host shared with
# others, a daemon that left the call's session is out of reach.
roots=" "
for a in "$@"; do
    roots="$roots$a "
done
[ "$roots" = " " ] && exit 0
me=$$
# Any process on the host names itself as it likes (prctl PR_SET_NAME, the name of a file it runs), a
# line feed included, which splits its line of /proc/PID/stat: the file is read whole, and a short or
# odd one is passed over (dash ends the script on a shift short of arguments).
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
round=0
while [ "$round" -lt 100 ]; do
    round=$((round + 1))
    table= live=" "
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = "$me" ] && continue
        stat_of 2>/dev/null <"$d/stat" || continue
        # shellcheck disable=SC2086
        fields ${line##*) } || continue
        [ "$state" = Z ] && continue
        live="$live$p:$st "
        table="$table $p $ppid $pgrp $sid $st"
    done
    marked=" "
    changed=1
    while [ "$changed" = 1 ]; do
        changed=0
        # shellcheck disable=SC2086
        set -- $table
        while [ $# -ge 5 ]; do
            p=$1 pp=$2 pg=$3 s=$4 st=$5
            shift 5
            case "$marked" in *" $p "*) continue ;; esac
            hit=0
            case "$roots" in *" $p:$st "*) hit=1 ;; esac
            if [ "$hit" = 0 ]; then
                for leader in "$s" "$pg"; do
                    case "$roots" in
                    *" $leader:"*)
                        rs=${roots#*" $leader:"}
                        rs=${rs%%" "*}
                        case "$live" in
                        *" $leader:"*)
                            ls=${live#*" $leader:"}
                            [ "${ls%%" "*}" = "$rs" ] || continue
                            ;;
                        esac
                        [ "$st" -ge "$rs" ] && hit=1
                        ;;
                    esac
                done
            fi
            if [ "$hit" = 0 ]; then
                case "$marked" in *" $pp "*) hit=1 ;; esac
            fi
            if [ "$hit" = 1 ]; then
                marked="$marked$p "
                changed=1
            fi
        done
    done
    [ "$marked" = " " ] && exit 0
    # shellcheck disable=SC2086
    kill -9 $marked 2>/dev/null
done
exit 1
