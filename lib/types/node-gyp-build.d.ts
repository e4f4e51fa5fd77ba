declare module 'node-gyp-build' {
  /** Loads the addon that fits this platform from `dir` (build/ first, then prebuilds/). */
  function load(dir: string): unknown;
  namespace load {
    /** The path of the addon that fits this platform; throws when there is none. */
    function path(dir: string): string;
  }
  export = load;
}
