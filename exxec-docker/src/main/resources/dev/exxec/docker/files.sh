# exxec: file operations in the container: sh files.sh OPERATION WORKSPACE CONFINED PATH [PATH]
#
# Runs as the user the code runs as: the kernel grants exactly what it grants the code, so a path
# the code swaps under an operation (a link for a file, a link for a directory) gains it nothing it
# could not do itself. Each PATH is absolute and normalised. With CONFINED 1 (the caller gave a
# relative path) every path must stay in the workspace WORKSPACE once the links on the way are
# followed, as far as they exist (exit 15 otherwise); with 0 it is the container's file system as the
# code sees it.
#   read PATH MAX  the content of the regular file PATH on standard output, at most MAX bytes (the
#                 caller asks for one more than it takes, to tell a larger file)
#   write PATH    standard input into the regular file PATH, made or emptied first (its missing
#                 parents made when it is in the workspace)
#   stat PATH     one record for PATH itself (a final symbolic link is not followed)
#   list DIR      one record per entry of DIR
#   mkdir PATH    creates PATH and its parents
#   move A B      renames A to B, replacing B (its parent is created)
#   delete PATH   removes PATH, recursively
# A record is "TYPE SIZE MTIME NAME" ended by a NUL byte; TYPE is f, d, l or o.
# Exit codes: 0 done, 12 not found, 13 not a directory, 14 failed (why on standard error), 15 outside
# the workspace, 16 a directory, 17 not a regular file (a FIFO, a device, a socket: never read or
# written, since opening a FIFO waits for a process at its other end). None is a code the shell
# exits with by itself: its own errors (2, as when a fork fails in a container whose process slots
# are all taken) must never read as an answer such as "not found".
op=$1 ws=$2 confined=$3
shift 3
if [ "$confined" = 1 ]; then
    ws=$(cd -P -- "$ws" 2>/dev/null && pwd -P) || {
        echo "cannot enter the workspace $2" >&2
        exit 14
    }
fi

# resolve PATH FOLLOW: sets r to PATH with the symbolic links among its directories resolved (and
# PATH itself when FOLLOW is 1 and it is a link), as far as they exist; the rest as written.
resolve() {
    p=$1 hops=0
    while :; do
        dir=${p%/*} name=${p##*/} rest=
        case $name in . | ..) dir=$p name= ;; esac
        [ -n "$dir" ] || dir=/
        link=
        while ! [ -d "$dir" ]; do
            if [ -L "$dir" ]; then
                link=$dir
                break
            fi
            rest=/${dir##*/}$rest
            dir=${dir%/*}
            [ -n "$dir" ] || dir=/
        done
        if [ -n "$link" ]; then
            # a link to nothing (or to a file) on the way: where it points decides
            hops=$((hops + 1))
            if [ "$hops" -gt 40 ]; then
                echo "$1: too many levels of symbolic links" >&2
                exit 14
            fi
            target=$(readlink -- "$link") || exit 14
            case $target in /*) ;; *) target=${link%/*}/$target ;; esac
            p=$target$rest${name:+/$name}
            continue
        fi
        case "$rest/" in */./* | */../*)
            echo "$1: a path through a directory that does not exist" >&2
            exit 12
            ;;
        esac
        # readlink -f needs no search permission in the directory itself (a link out of the
        # workspace to a directory the user may not enter is still seen to be out); cd -P where
        # readlink has no -f.
        physical=$(readlink -f -- "$dir" 2>/dev/null) || physical=
        [ -n "$physical" ] || physical=$(cd -P -- "$dir" 2>/dev/null && pwd -P) || physical=
        if [ -z "$physical" ]; then
            # not resolvable with the user's rights: judged by its path
            case $dir in "$ws" | "$ws"/*)
                echo "$1: cannot resolve $dir: Permission denied" >&2
                exit 14
                ;;
            esac
            r=$dir
            return
        fi
        dir=$physical
        [ "$dir" != / ] || dir=
        if [ -z "$name" ]; then
            r=$dir$rest
            [ -n "$r" ] || r=/
            return
        fi
        r=$dir$rest/$name
        if [ "$2" = 1 ] && [ -z "$rest" ] && [ -L "$r" ]; then
            hops=$((hops + 1))
            if [ "$hops" -gt 40 ]; then
                echo "$1: too many levels of symbolic links" >&2
                exit 14
            fi
            target=$(readlink -- "$r") || exit 14
            case $target in /*) p=$target ;; *) p=$dir/$target ;; esac
            continue
        fi
        return
    done
}

# at PATH FOLLOW: sets r to where an operation on PATH acts, refusing what leaves the workspace
at() {
    if [ "$confined" != 1 ]; then
        r=$1
        return
    fi
    resolve "$1" "$2"
    case $r in "$ws" | "$ws"/*) ;; *)
        echo "$1 leads to $r" >&2
        exit 15
        ;;
    esac
}

# exists PATH: whether PATH is there (a dangling link too). Where the shell's test cannot tell (a
# directory on the way that the user may not search), stat says why: only "no such file" or "not a
# directory" is an answer of "not there"; anything else (permission denied, a fork that failed) fails
# the operation with its words, since "not found" would be a false answer.
exists() {
    [ -e "$1" ] || [ -L "$1" ] && return 0
    why=$(LC_ALL=C stat -c %n -- "$1" 2>&1 >/dev/null) && return 0
    case $why in
    *": No such file or directory" | *": Not a directory") return 1 ;; # its end: the path is the code's
    esac
    echo "${why:-$1: cannot be checked}" >&2
    exit 14
}

record() {
    if [ -L "$1" ]; then type=l; elif [ -d "$1" ]; then type=d; elif [ -f "$1" ]; then type=f; else type=o; fi
    # An entry that went since it was found has no record (status 1); one that is there but cannot
    # be read fails the operation (a size of 0 would be a false answer).
    meta=$(stat -c '%s %Y' -- "$1" 2>/dev/null) || {
        exists "$1" || return 1
        echo "cannot stat $1" >&2
        exit 14
    }
    printf '%s %s %s\0' "$type" "$meta" "$2"
}

# What was found to be a regular file may be a FIFO by the time it is opened (the code can swap it),
# and opening a FIFO waits for its other end: an alarm ends this shell if an open takes 2 seconds.
# Once open, the descriptor's own type is checked, which no swap changes. Disarmed, the alarm ends its
# sleep too: a sleep left behind per operation would count against the container's process limit.
arm() {
    (
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        sleep 2 &
        sleeper=$!
        wait "$sleeper" && kill -ALRM $$
    ) </dev/null >/dev/null 2>&1 &
    alarm=$!
}
disarm() { kill "$alarm" 2>/dev/null; }
send() {
    disarm
    [ -f /proc/$$/fd/3 ] || exit 17
    # Never more than asked for: a regular file of /proc may say 0 bytes and never end.
    head -c "$1" <&3 || exit 14
}
receive() {
    disarm
    [ -f /proc/$$/fd/3 ] || exit 17
    cat >&3 || exit 14
}

case $op in
read)
    at "$1" 1
    exists "$r" || exit 12
    ! [ -d "$r" ] || exit 16
    [ -f "$r" ] || exit 17
    case $2 in '' | *[!0-9]*) exit 14 ;; esac
    arm
    send "$2" 3<"$r" || {
        disarm
        exit 14
    }
    ;;
write)
    at "$1" 1
    if exists "$r"; then
        ! [ -d "$r" ] || exit 16
        [ -f "$r" ] || ! [ -e "$r" ] || exit 17
    else
        parent=${r%/*}
        [ -n "$parent" ] || parent=/
        case $r in
        "$ws"/*) mkdir -p -- "$parent" || exit 14 ;;
        *) [ -d "$parent" ] || exit 12 ;;
        esac
    fi
    arm
    receive 3>"$r" || {
        disarm
        exit 14
    }
    ;;
stat)
    at "$1" 0
    exists "$r" || exit 12
    record "$r" "${r##*/}" || exit 12
    ;;
list)
    at "$1" 1
    exists "$r" || exit 12
    [ -d "$r" ] || exit 13
    cd -- "$r" 2>/dev/null || {
        if [ -x "$r" ]; then echo "$r: cannot enter it" >&2; else echo "$r: Permission denied" >&2; fi
        exit 14
    }
    for f in * .[!.]* ..?*; do
        exists "$f" || continue
        record "$f" "$f" || continue
    done
    ;;
mkdir)
    at "$1" 1
    mkdir -p -- "$r" || exit 14
    ;;
move)
    at "$1" 0
    from=$r
    at "$2" 0
    exists "$from" || exit 12
    parent=${r%/*}
    [ -n "$parent" ] || parent=/
    mkdir -p -- "$parent" && mv -f -- "$from" "$r" || exit 14
    ;;
delete)
    at "$1" 0
    exists "$r" || exit 12
    rm -rf -- "$r" || exit 14
    ;;
*)
    exit 14
    ;;
esac
