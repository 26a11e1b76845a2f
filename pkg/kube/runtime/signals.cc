#include "pkg/kube/runtime/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "internal/utils/log.h"

namespace osbx::kube {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ShutdownSignals::ShutdownSignals(std::function<void(int)> on_first_signal)
    : on_first_signal_(std::move(on_first_signal)) {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { Loop(); });
}

ShutdownSignals::~ShutdownSignals() {
  closing_ = true;
  // Wakes sigwait with a signal aimed at the receiving thread only.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void ShutdownSignals::Loop() {
  const sigset_t set = ShutdownSet();
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (closing_) return;
    if (++received_ == 1) {
      OSBX_LOG_INFO("shutdown signal received, stopping", {"signal", strsignal(sig)});
      if (on_first_signal_) on_first_signal_(sig);
    } else {
      OSBX_LOG_ERROR("second shutdown signal, exiting now", {"signal", strsignal(sig)});
      _exit(1);
    }
  }
}

}  // namespace osbx::kube
