# The few nixpkgs lib functions nix/npm-deps.nix uses, written here from builtins so that its
# test runs without a nixpkgs.lib checkout (as on CI). With NIXPKGS_LIB set the test evaluates
# the same file with the real lib as well.
let
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  escapeShellArg = s: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s)}'";
in
{
  inherit unique escapeShellArg;
  importJSON = file: builtins.fromJSON (builtins.readFile file);
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
  inherit (builtins) replaceStrings;
  concatMapStringsSep = sep: f: list: builtins.concatStringsSep sep (map f list);
  escapeShellArgs = list: builtins.concatStringsSep " " (map escapeShellArg list);
}
