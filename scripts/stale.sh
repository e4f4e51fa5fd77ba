# shellcheck shell=bash
# Sourced by the build scripts: one answer to "is this build output older than its sources?".

# The sources of the addon, whichever build system compiles them.
ADDON_SOURCES=(native binding.gyp CMakeLists.txt cmake deps/libssh2-config deps/libssh2/.fetched)

# stale OUTPUT PATH...: true when OUTPUT is missing or any file under the PATHs is newer.
stale() {
  local output="$1"
  shift
  [[ ! -f "$output" ]] || [[ -n "$(find "$@" -newer "$output" -type f -print -quit 2>/dev/null)" ]]
}
