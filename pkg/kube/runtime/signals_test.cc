// Runs in its own binary: it blocks SIGTERM for the whole process.
#include "pkg/kube/runtime/signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

namespace osbx::kube {
namespace {

TEST(ShutdownSignalsTest, SigtermRunsTheCallbackOnAnOrdinaryThread) {
  std::mutex mu;
  std::condition_variable cv;
  int got = 0;
  {
    ShutdownSignals signals([&](int sig) {
      std::lock_guard lock(mu);  // allowed: not a signal handler
      got = sig;
      cv.notify_all();
    });
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got != 0; }));
  }
  EXPECT_EQ(got, SIGTERM);
}

}  // namespace
}  // namespace osbx::kube
