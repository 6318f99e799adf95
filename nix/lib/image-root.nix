# What nix/container-layout.json puts at the root of nimi's image, for one evaluated config:
# its directories, and /etc/passwd and /etc/group with its users and groups plus those the
# services name (`nimi.user`, `nimi.group`, at every nesting level) that it does not list.
{ lib }:
let
  layout = lib.importJSON ../container-layout.json;

  servicesOf =
    services:
    lib.concatLists (
      lib.mapAttrsToList (_: s: [ s ] ++ servicesOf (s.services or { })) services
    );
  names = field: services: lib.filter builtins.isString (map (s: s.nimi.${field}) (servicesOf services));
in
config:
let
  known = map (u: u.name) layout.users;
  newUsers = lib.sort (a: b: a < b) (
    lib.unique (lib.filter (n: !lib.elem n known) (names "user" config.services))
  );
  users =
    layout.users
    ++ lib.imap0 (i: name: {
      inherit name;
      uid = layout.firstId + i;
      gid = layout.firstId + i;
      home = "/var/empty";
    }) newUsers;
  userGroups = map (u: {
    inherit (u) name;
    gid = u.gid;
  }) (lib.drop (builtins.length layout.users) users);
  knownGroups = map (g: g.name) (layout.groups ++ userGroups);
  newGroups = lib.sort (a: b: a < b) (
    lib.unique (lib.filter (n: !lib.elem n knownGroups) (names "group" config.services))
  );
  groups =
    layout.groups
    ++ userGroups
    ++ lib.imap0 (i: name: {
      inherit name;
      gid = layout.firstId + builtins.length newUsers + i;
    }) newGroups;
in
{
  inherit (layout) directories;
  inherit users groups;
  passwd = lib.concatMapStrings (
    u: "${u.name}:x:${toString u.uid}:${toString u.gid}::${u.home}:/sbin/nologin\n"
  ) users;
  group = lib.concatMapStrings (g: "${g.name}:x:${toString g.gid}:\n") groups;
}
