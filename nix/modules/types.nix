# Option types shared by nimi's per-service options and settings. Each one mirrors a definition
# in src/config/schema.ts; tests/nix/options_test.ts compares the two, so change both together.
{ lib }:
let
  inherit (lib) types;

  signalNames = [
    "SIGHUP"
    "SIGINT"
    "SIGQUIT"
    "SIGILL"
    "SIGTRAP"
    "SIGABRT"
    "SIGBUS"
    "SIGFPE"
    "SIGKILL"
    "SIGUSR1"
    "SIGSEGV"
    "SIGUSR2"
    "SIGPIPE"
    "SIGALRM"
    "SIGTERM"
    "SIGSTKFLT"
    "SIGCHLD"
    "SIGCONT"
    "SIGSTOP"
    "SIGTSTP"
    "SIGTTIN"
    "SIGTTOU"
    "SIGURG"
    "SIGXCPU"
    "SIGXFSZ"
    "SIGVTALRM"
    "SIGPROF"
    "SIGWINCH"
    "SIGIO"
    "SIGPWR"
    "SIGSYS"
  ];

  # A string of at least one character, exactly the runtime's rule (types.nonEmptyStr also
  # rejects whitespace-only strings, which the runtime accepts).
  nonEmptyString = types.addCheck types.str (s: s != "") // {
    description = "non-empty string";
  };
in
{
  inherit nonEmptyString signalNames;

  # Durations are whole milliseconds, as everywhere in nimi's config.
  millis = types.ints.unsigned;

  # A program or file: a derivation or path is turned into its store path.
  program = types.coercedTo types.path (x: "${x}") nonEmptyString;

  # A file that must not be copied into the store (credentials, working directories):
  # a path literal becomes its absolute path as a string.
  localPath = types.coercedTo types.path toString nonEmptyString;

  # An absolute URL (scheme and rest), like the runtime's z.url().
  url = types.strMatching "[A-Za-z][A-Za-z0-9+.-]*:.+" // {
    description = "URL";
  };

  signal = types.enum (signalNames ++ map (lib.removePrefix "SIG") signalNames);

  restartModes = [
    "never"
    "up-to-count"
    "always"
    "on-failure"
  ];

  probeTypes = [
    "exec"
    "tcp"
    "http"
    "log"
    "notify"
  ];

  dependencyConditions = [
    "started"
    "ready"
    "completed"
    "completed-successfully"
  ];

  # A user or group: a name or a numeric id.
  idOrName = types.either nonEmptyString types.ints.unsigned;

  # restart.backoff: a number of at least 1.
  backoff = types.addCheck types.number (x: x >= 1) // {
    description = "number at least 1";
  };
}
