# exxec: file operations in the container: sh files.sh OPERATION PATH [PATH]
#   stat PATH     one record for PATH itself (a symbolic link is not followed)
#   list DIR      one record per entry of DIR
#   mkdir PATH    creates PATH and its parents
#   move A B      renames A to B, replacing B (its parent is created)
#   delete PATH   removes PATH, recursively
# A record is "TYPE SIZE MTIME NAME" ended by a NUL byte; TYPE is f, d, l or o.
# Exit codes: 0 done, 2 not found, 3 not a directory, 4 failed.
record() {
    if [ -L "$1" ]; then type=l; elif [ -d "$1" ]; then type=d; elif [ -f "$1" ]; then type=f; else type=o; fi
    set -- "$1" "$2" $(stat -c '%s %Y' -- "$1" 2>/dev/null || echo '0 0')
    printf '%s %s %s %s\0' "$type" "$3" "$4" "$2"
}
exists() { [ -e "$1" ] || [ -L "$1" ]; }
op=$1
shift
case $op in
stat)
    exists "$1" || exit 2
    record "$1" "${1##*/}"
    ;;
list)
    exists "$1" || exit 2
    [ -d "$1" ] || exit 3
    cd "$1" || exit 4
    for f in * .[!.]* ..?*; do
        exists "$f" || continue
        record "$f" "$f"
    done
    ;;
mkdir)
    mkdir -p -- "$1" || exit 4
    ;;
move)
    exists "$1" || exit 2
    mkdir -p -- "$(dirname -- "$2")" && mv -f -- "$1" "$2" || exit 4
    ;;
delete)
    exists "$1" || exit 2
    rm -rf -- "$1" || exit 4
    ;;
*)
    exit 4
    ;;
esac
