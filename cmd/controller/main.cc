// opensandbox-controller: the controller manager for BatchSandbox and Pool.
//
// Flags, wiring and nothing else: every behaviour lives in a library under internal/ or pkg/.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdlib>
#include <string>

#include "internal/utils/version.h"

int main(int argc, char** argv) {
  CLI::App app{"OpenSandbox controller manager: delivers BatchSandbox and Pool sandboxes.",
               std::string(osbx::kControllerName)};
  app.set_version_flag("--version", std::string(osbx::kVersion));
  app.require_subcommand(0, 1);

  auto* version = app.add_subcommand("version", "Print the version and exit.");
  version->callback([] { fmt::print("{} {}\n", osbx::kControllerName, osbx::kVersion); });

  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) {
    fmt::print("{}", app.help());
  }
  return EXIT_SUCCESS;
}
