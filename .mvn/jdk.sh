# Sourced (POSIX sh) by ./mvnw, ./exxec, ./bench and .ci/run: exports JAVA_HOME naming a JDK >= 21.
# The machines' default java is 17, which cannot build or run exxec, so no script trusts PATH alone.
# An explicit JAVA_HOME wins when it is new enough; otherwise the newest JDK found is taken.

exxec_jdk_major() {
  # Prints the feature version of the JDK at $1 (from its release file, without starting a JVM).
  # Read with the shell's own builtins: ./exxec calls this for every JDK it looks at, on every run.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      JAVA_VERSION=\"[0-9]*)
        v=${line#JAVA_VERSION=\"}
        echo "${v%%[!0-9]*}"
        return 0
        ;;
    esac
  done <"$1/release"
  return 1
}

exxec_find_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    m=$(exxec_jdk_major "$JAVA_HOME") || m=0
    [ "$m" -ge 21 ] && return 0
  fi
  best= best_major=0 flags=$-
  set +f # mvnw runs with globbing off
  # (the JDK two levels above the real javac; cut with the shell's own expansion, no dirname processes)
  onpath=$(command -v javac 2>/dev/null) && onpath=$(readlink -f "$onpath") && onpath=${onpath%/*/*}
  for d in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* ${onpath:+"$onpath"}; do
    [ -d "$d" ] || continue
    m=$(exxec_jdk_major "$d") || continue
    if [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best=$d best_major=$m; fi
  done
  case $flags in *f*) set -f ;; esac
  if [ -z "$best" ]; then
    echo "exxec needs a JDK 21 or newer and found none (JAVA_HOME=${JAVA_HOME-unset}); install one and set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME=$best
  export JAVA_HOME
}
