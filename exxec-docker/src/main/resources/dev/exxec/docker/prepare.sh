# exxec: makes an image ready for environments, as root in a helper container of the image before
# any code ran in it: sh prepare.sh UID GID PYTHON NODE
#
# Gives UID and GID an account unless the image has one (named exxec, home /workspace, so that
# `id -un`, getpass and ~ work), makes /workspace theirs, then runs probe.sh, which prints what the
# image offers and compiles the Python driver. Needs only sh and chown.
uid=$1 gid=$2
shift 2
# has FILE FIELD VALUE: whether a line of FILE has VALUE in FIELD (1 the name, 3 the id)
has() {
    [ -f "$1" ] || return 1
    while IFS=: read -r has_name _ has_id _; do
        if [ "$2" = 1 ]; then [ "$has_name" = "$3" ] && return 0; else [ "$has_id" = "$3" ] && return 0; fi
    done < "$1"
    return 1
}
# name FILE ID: exxec, or exxecID when the image has an exxec of another id
name() { if has "$1" 1 exxec; then echo "exxec$2"; else echo exxec; fi; }
if ! has /etc/group 3 "$gid"; then
    echo "$(name /etc/group "$gid"):x:$gid:" >> /etc/group || exit 1
fi
if ! has /etc/passwd 3 "$uid"; then
    echo "$(name /etc/passwd "$uid"):x:$uid:$gid:exxec:/workspace:/bin/sh" >> /etc/passwd || exit 1
fi
mkdir -p /workspace && chown "$uid:$gid" /workspace && chmod 0755 /workspace || exit 1
exec sh "${0%/*}/probe.sh" "$@"
