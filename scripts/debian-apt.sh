# shellcheck shell=bash
# Sourced by scripts that fetch from Debian without touching the system's apt state: the mirror
# this system's apt already uses (no host name is written in the repository), and apt options for
# a private source list, package lists and cache under a work directory.

# Prints the first Debian mirror URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list
# (empty when none).
debian_mirror_uri() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list | head -n1)"
  fi
  echo "$uri"
}

# private_apt WORK LINE [extra apt options...]: writes LINE (one sources.list line) under WORK and
# sets the array APT_OPTS to use it, with lists and cache under WORK too.
private_apt() {
  local work="$1" line="$2"
  shift 2
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  echo "$line" >"$work/sources.list"
  APT_OPTS=(
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Sandbox::User=root"
    "$@"
  )
}
