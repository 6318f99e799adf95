# Describes the declared `nimi.*` (per service) and `settings.*` options as plain data, so a test
# can compare them with the runtime's JSON Schema. Types are described by behaviour where the
# module system does not record it (integer bounds, non-empty strings and lists are found by
# asking each type's `check`), so the description does not depend on nixpkgs' internal names.
#
#   option: { option = true; type = <type>; default = <value>; }   (default absent if none)
#   group:  { group = { <name> = option or group; }; }
#   type:   "boolean" | { string = { minLength }; } | { string = { format = "uri"; }; } | { integer = { min, max }; }
#           | { number = { min }; } | { enum = [ ... ]; } | { nullable = <type>; }
#           | { array = { items, minItems }; } | { record = <type>; } | { object = { <name> = option or group; }; }
#           | { union = [ <type> ... ]; } | { unknown = <name>; }
{ lib, evaluation }:
let
  inherit (lib) mapAttrs filterAttrs isOption;

  limit = 9007199254740991;

  tryCheck = t: v: (builtins.tryEval (t.check v)).value or false;

  # An integer t accepts, from which its bounds are searched (integer ranges are contiguous).
  anchor = t: lib.findFirst (tryCheck t) null [ 0 1 (-1) 1000 ];

  # The smallest integer t accepts, or null when it accepts everything down to -(2^53 - 1).
  searchMin =
    t:
    let
      go =
        lo: hi:
        if lo >= hi then
          lo
        else
          let
            mid = lo + (hi - lo) / 2;
          in
          if tryCheck t mid then go lo mid else go (mid + 1) hi;
    in
    if tryCheck t (-limit) then null else go (-limit) (anchor t);

  # The largest integer t accepts, or null when it accepts everything up to 2^53 - 1.
  searchMax =
    t:
    let
      go =
        lo: hi:
        if lo >= hi then
          lo
        else
          let
            mid = hi - (hi - lo) / 2;
          in
          if tryCheck t mid then go mid hi else go lo (mid - 1);
    in
    if tryCheck t limit then null else go (anchor t) limit;

  numberMin =
    t:
    if tryCheck t 1 && !tryCheck t 0.999999 then
      1
    else if tryCheck t 0 && !tryCheck t (-0.000001) then
      0
    else
      null;

  isNumberType = t: tryCheck t 1 && tryCheck t 1.5 && !tryCheck t "1";

  describeType =
    t:
    let
      n = t.name;
      nested = t.nestedTypes or { };
    in
    if n == "nullOr" then
      { nullable = describeType nested.elemType; }
    else if n == "coercedTo" then
      describeType nested.finalType
    else if n == "listOf" then
      {
        array = {
          items = describeType nested.elemType;
          minItems = if tryCheck t [ ] then 0 else 1;
        };
      }
    else if n == "attrsOf" || n == "lazyAttrsOf" then
      { record = describeType nested.elemType; }
    else if n == "enum" then
      { enum = t.functor.payload.values or t.functor.payload; }
    else if n == "submodule" then
      { object = describeOptions (t.getSubOptions [ ]); }
    else if isNumberType t then
      { number.min = numberMin t; }
    else if n == "either" || n == "oneOf" then
      {
        union = if n == "either" then map describeType [ nested.left nested.right ] else map describeType (t.functor.payload or [ ]);
      }
    else if anchor t != null then
      {
        integer = {
          min = searchMin t;
          max = searchMax t;
        };
      }
    else if tryCheck t true then
      "boolean"
    else if tryCheck t "http://localhost/" && !tryCheck t "x" then
      { string.format = "uri"; }
    else if tryCheck t "x" then
      { string.minLength = if tryCheck t "" then 0 else 1; }
    else
      { unknown = n; };

  describeOption =
    opt:
    {
      option = true;
      type = describeType opt.type;
    }
    // lib.optionalAttrs (opt ? default) { inherit (opt) default; };

  describeOptions =
    opts:
    mapAttrs (_: o: if isOption o then describeOption o else { group = describeOptions o; }) (
      filterAttrs (n: _: n != "_module") opts
    );

  serviceOptions = evaluation.options.services.type.nestedTypes.elemType.getSubOptions [ ];
in
{
  nimi = describeOptions serviceOptions.nimi;
  # binName, container and bubblewrap shape what is built and stay out of the JSON.
  settings = describeOptions (
    removeAttrs evaluation.options.settings [
      "binName"
      "container"
      "bubblewrap"
    ]
  );
}
