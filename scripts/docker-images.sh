#!/bin/bash
# Builds exxec's Docker image locally, without any image registry: a Debian bookworm minbase made
# with debootstrap from a Debian package mirror, with Python 3, Node.js and tsx (from the npm
# registry), imported with `docker import`. The `docker` provider uses this image by default.
#
#   sudo scripts/docker-images.sh            build exxec/runtime:latest unless it already exists
#   sudo scripts/docker-images.sh --force    rebuild it
#
# Needs root (debootstrap, chroot, mount), debootstrap, a running Docker daemon, a Debian mirror and
# the npm registry. Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, TSX_VERSION (an npm version
# range, default 4), EXXEC_BUILD_DIR (where the temporary root is made, default /var/tmp).
set -euo pipefail

IMAGE=exxec/runtime:latest
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
TSX_VERSION=${TSX_VERSION:-4}
BUILD_DIR=${EXXEC_BUILD_DIR:-/var/tmp}

force=0
quiet=0
for arg in "$@"; do
  case $arg in
    -f | --force) force=1 ;;
    -q | --quiet) quiet=1 ;;
    -h | --help)
      sed -n '2,11s/^# \{0,1\}//p' "$0"
      echo "Options: --force rebuilds an existing image; --quiet prints nothing when there is nothing to do."
      exit 0 ;;
    *) echo "docker-images: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf 'docker-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
human_size() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }
image_size() { human_size "$(docker image inspect -f '{{.Size}}' "$1")"; }

command -v docker >/dev/null 2>&1 || die "docker is not installed (apt-get install -y docker.io)"
docker info >/dev/null 2>&1 \
  || die "cannot reach the Docker daemon (is dockerd running, and may this user use its socket?)"

exists() { docker image inspect "$IMAGE" >/dev/null 2>&1; }
if [ "$force" -eq 0 ] && exists; then
  [ "$quiet" -eq 1 ] || log "$IMAGE already exists ($(image_size "$IMAGE")); nothing to do (--force rebuilds it)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "building needs root (debootstrap, chroot, mount): sudo $0"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install -y debootstrap)"

# One build at a time; a build that waited may find the image made by the other one.
if command -v flock >/dev/null 2>&1 && [ -d /var/lock ]; then
  exec 9>/var/lock/exxec-docker-images.lock
  flock 9
  if [ "$force" -eq 0 ] && exists; then
    [ "$quiet" -eq 1 ] || log "$IMAGE was built meanwhile ($(image_size "$IMAGE")); nothing to do"
    exit 0
  fi
fi

started=$(date +%s)
work=$(mktemp -d "$BUILD_DIR/exxec-image.XXXXXX")
root=$work/root
buildlog=$work/build.log
: >"$buildlog"
tmptag=exxec/runtime:building-$$

# Mounts under the build root, deepest first (paths in /proc/mounts escape blanks as octal).
mounts_under_root() {
  awk -v r="$root" '{ p = $2; gsub(/\\040/, " ", p); if (p == r || index(p, r "/") == 1) print p }' \
    /proc/mounts | sort -r
}
cleanup() {
  local rc=$? m
  trap - EXIT INT TERM HUP
  while IFS= read -r m; do
    [ -n "$m" ] && { umount "$m" 2>/dev/null || umount -l "$m" || true; }
  done <<<"$(mounts_under_root)"
  if [ "$rc" -ne 0 ] && [ -s "$buildlog" ]; then
    cp "$buildlog" "$BUILD_DIR/exxec-docker-images.failed.log" 2>/dev/null \
      && log "full log of the failed build: $BUILD_DIR/exxec-docker-images.failed.log"
  fi
  docker image rm "$tmptag" >/dev/null 2>&1 || true
  if [ -n "$(mounts_under_root)" ]; then
    log "warning: still mounted under $root; leaving $work in place"
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Runs a command with its output in the build log; on failure shows the end of the log.
logged() {
  local from
  from=$(($(wc -l <"$buildlog") + 1))
  if ! "$@" >>"$buildlog" 2>&1; then
    log "failed: $*"
    tail -n "+$from" "$buildlog" | tail -n 25 | sed 's/^/  | /' >&2
    return 1
  fi
}
in_root() { chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

log "building $IMAGE in $work (about 2 minutes)"

log "1/6 debootstrap $SUITE minbase with python3, nodejs, ca-certificates from $MIRROR"
logged debootstrap --variant=minbase --include=python3,nodejs,ca-certificates "$SUITE" "$root" "$MIRROR"
# setsid (util-linux) is Essential in bookworm, hence part of minbase; make sure.
[ -x "$root/usr/bin/setsid" ] || die "setsid is missing from the $SUITE minbase"

log "2/6 apt sources with security updates; trimmed docs, man pages and locales"
cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# Packages installed later (also in images built on this one) stay trimmed too.
cat >"$root/etc/dpkg/dpkg.cfg.d/exxec-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
# No service may start inside the build root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# Name resolution for apt and npm, and the host's CA bundle for npm only (a TLS-inspecting proxy
# between this machine and the registry has its own CA); neither stays in the image.
rm -f "$root/etc/resolv.conf"
cat /etc/resolv.conf >"$root/etc/resolv.conf"
host_ca=
for f in "${NODE_EXTRA_CA_CERTS:-}" "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt \
  /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -n "$f" ] && [ -s "$f" ]; then host_ca=$f; break; fi
done
[ -z "$host_ca" ] || cat "$host_ca" >"$root/tmp/exxec-host-ca.crt"
# npm's install scripts (esbuild's) need /proc; the cleanup trap unmounts it whatever happens.
mount -t proc proc "$root/proc"

log "3/6 security updates, then npm (only to install tsx)"
logged in_root apt-get update -q
logged in_root apt-get upgrade -y -q
logged in_root apt-get install -y -q --no-install-recommends npm

log "4/6 npm install -g tsx@$TSX_VERSION into /usr/local"
logged in_root ${host_ca:+NODE_EXTRA_CA_CERTS=/tmp/exxec-host-ca.crt} npm install --global \
  --prefix /usr/local --no-fund --no-audit --no-update-notifier "tsx@$TSX_VERSION"
in_root tsx --version >/dev/null 2>&1 || die "tsx does not run in the build root"

log "5/6 removing npm and its dependencies, caches, apt lists, logs"
logged in_root apt-get purge -y -q --auto-remove npm
logged in_root apt-get clean
versions="python $(in_root python3 -c 'import platform; print(platform.python_version())'), node $(in_root node --version | tr -d v), tsx $(in_root tsx --version | sed -n 's/^tsx v//p' | head -n 1)"
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/root/.npm "$root"/root/.cache \
  "$root"/tmp/* "$root"/var/tmp/* "$root/usr/sbin/policy-rc.d" "$root"/var/cache/debconf/*-old \
  "$root"/var/lib/dpkg/*-old "$root/var/log/bootstrap.log" "$root"/var/log/apt/*
find "$root/var/log" -type f -exec truncate -s 0 {} +
# Docker provides these three per container; do not ship the build host's.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
rm -f "$root/etc/hosts"
chmod 644 "$root/etc/resolv.conf" "$root/etc/hostname"

log "6/6 docker import ($versions)"
tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'WORKDIR /' \
  --change 'CMD ["/bin/sh"]' \
  --change 'LABEL dev.exxec.image=runtime' \
  --change "LABEL dev.exxec.image.versions=\"$versions\"" \
  --message "exxec runtime: Debian $SUITE minbase, $versions" \
  - "$tmptag" >/dev/null

log "verifying: python3, node, tsx and setsid in a container without network"
check() {
  local want=$1 got
  shift
  got=$(docker run --rm --network none "$tmptag" "$@" 2>&1) || got="(exit $?) $got"
  [ "$got" = "$want" ] || die "image check failed: $* printed '$got', expected '$want'"
}
check 1 python3 -c 'print(1)'
check 1 node -e 'console.log(1)'
check 42 sh -c 'printf "const n: number = 41;\nconsole.log(n + 1);\n" > /tmp/check.ts && tsx /tmp/check.ts' </dev/null
check ok sh -c 'setsid true && echo ok'

old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
docker tag "$tmptag" "$IMAGE"
new=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [ -n "$old" ] && [ "$old" != "$new" ]; then
  docker image rm "$old" >/dev/null 2>&1 || true # still used by a container: keep it
fi
log "built $IMAGE: $(image_size "$IMAGE") ($versions) in $(($(date +%s) - started)) s"
