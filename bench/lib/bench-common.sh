# Shared by the bench/*.sh scripts that drive bench/StoryEngine.Bench: source it from the repository root.

# Reads "[MEASUREMENT] [--postgres [CONNECTION]] [other args…]": sets MEASUREMENT (default $1 of this function),
# PG_CS (a given connection string), START_PG (1 when --postgres came without one) and ARGS (everything else).
parse_bench_args() {
  local default=$1
  shift
  MEASUREMENT=${1:-$default}
  [ $# -gt 0 ] && shift
  ARGS=()
  PG_CS=""
  START_PG=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --postgres)
        if [ $# -gt 1 ] && [[ "$2" != --* ]]; then PG_CS="$2"; shift; else START_PG=1; fi ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
}

build_bench() { dotnet build bench/StoryEngine.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2; }

# One line about the machine, for the report's header.
describe_machine() {
  echo "$(nproc) cores, $(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
}
