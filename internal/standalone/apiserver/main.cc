// opensandbox-apiserver: the standalone API server alone (server-only mode), for tests and for
// running controllers against it from other processes.
//
//   opensandbox-apiserver --data-dir DIR [--port 6443] [--bookmark-interval-ms 60000]
//                         [--threads 4] [--sync-writes]

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "internal/standalone/apiserver/standalone_server.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OpenSandbox standalone Kubernetes-compatible API server"};
  std::string data_dir;
  int port = 6443;
  int bookmark_ms = 60000;
  int threads = 4;
  bool sync_writes = false;
  app.add_option("--data-dir", data_dir, "Directory for the store, certificates and kubeconfig")
      ->required();
  app.add_option("--port", port, "Port on 127.0.0.1 (0 picks a free one)");
  app.add_option("--bookmark-interval-ms", bookmark_ms, "Interval of watch BOOKMARK events");
  app.add_option("--threads", threads, "HTTP I/O threads");
  app.add_flag("--sync-writes", sync_writes,
               "Block an HTTP I/O thread on each write until it is durable (the default answers "
               "writes off the I/O threads once durable; this mode is kept for comparison)");
  CLI11_PARSE(app, argc, argv);

  osbx::standalone::StandaloneOptions options;
  options.data_dir = data_dir;
  options.port = static_cast<uint16_t>(port);
  options.threads = threads;
  options.async_writes = !sync_writes;
  options.bookmark_interval = std::chrono::milliseconds(bookmark_ms);
  auto server = osbx::standalone::StandaloneServer::Open(options);
  if (!server.ok()) {
    std::cerr << "error: " << server.status().ToString() << "\n";
    return 1;
  }
  osbx::Status started = (*server)->Start();
  if (!started.ok()) {
    std::cerr << "error: " << started.ToString() << "\n";
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::cout << "API server listening on " << (*server)->url() << "\n"
            << (*server)->KubectlHint() << std::endl;
  while (!g_stop) pause();
  (*server)->Stop();
  return 0;
}
