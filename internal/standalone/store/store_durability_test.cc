// kill -9 durability: a child process writes in a burst from several threads and reports every
// acknowledged write through a pipe; the parent SIGKILLs it at a random moment, reopens the store
// and checks that every acknowledged write is there with its content.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "internal/standalone/store/store.h"
#include "internal/standalone/store/test_util.h"

namespace osbx::standalone {
namespace {

using testing::DataOf;
using testing::ObjectJson;
using testing::TempDir;

constexpr int kWriters = 8;
constexpr int kKeysPerWriter = 40;

std::string KeyOf(int round, int writer, int n) {
  return "/burst/" + std::to_string(round) + "/" + std::to_string(writer) + "-" + std::to_string(n);
}

// Each writer owns its keys and cycles through them, creating then updating; the content of a
// write is its sequence number, so later writes to a key carry larger numbers.
void WriterLoop(Store& store, int round, int writer, int ack_fd) {
  for (int seq = 0; seq < 1'000'000; ++seq) {
    std::string key = KeyOf(round, writer, seq % kKeysPerWriter);
    std::string content = std::to_string(seq);
    auto result = seq < kKeysPerWriter ? store.Create(key, ObjectJson(key, content))
                                       : store.Update(key, ObjectJson(key, content));
    if (!result.ok()) _exit(3);
    std::string line = key + " " + content + "\n";  // < PIPE_BUF: one atomic write
    if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  }
}

[[noreturn]] void RunChild(const std::string& dir, int round, int ack_fd) {
  auto store = Store::Open(dir);
  if (!store.ok()) _exit(2);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] { WriterLoop(**store, round, w, ack_fd); });
  }
  for (auto& t : writers) t.join();
  _exit(0);
}

// Reads acknowledged "key content" lines until `kill_after` of them, then SIGKILLs the child and
// drains what it wrote before dying. Returns the highest acknowledged content per key.
std::map<std::string, int> ReadAcksAndKill(pid_t child, int fd, int kill_after) {
  std::map<std::string, int> acked;
  std::string buffer;
  int lines = 0;
  bool killed = false;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t eol;
    while ((eol = buffer.find('\n')) != std::string::npos) {
      std::istringstream line(buffer.substr(0, eol));
      buffer.erase(0, eol + 1);
      std::string key;
      int content;
      line >> key >> content;
      acked[key] = std::max(acked.count(key) ? acked[key] : -1, content);
      ++lines;
    }
    if (!killed && lines >= kill_after) {
      ::kill(child, SIGKILL);
      killed = true;
    }
  }
  if (!killed) ::kill(child, SIGKILL);
  return acked;
}

TEST(StoreDurabilityTest, NoAcknowledgedWriteIsLostOnKill9) {
  TempDir dir;
  std::random_device seed_source;
  unsigned seed = seed_source();
  std::mt19937 rng(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::map<std::string, int> all_acked;
  for (int round = 0; round < 3; ++round) {
    int kill_after = std::uniform_int_distribution<int>(1, 600)(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill after " + std::to_string(kill_after) +
                 " acks");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      RunChild(dir.path(), round, fds[1]);
    }
    ::close(fds[1]);
    std::map<std::string, int> acked = ReadAcksAndKill(child, fds[0], kill_after);
    ::close(fds[0]);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "child ended on its own with status " << wstatus;
    EXPECT_GE(acked.size(), 1u);
    for (auto& [key, content] : acked) all_acked[key] = content;

    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const auto& [key, content] : all_acked) {
      auto got = (*store)->Get(key);
      ASSERT_TRUE(got.ok()) << "acknowledged write lost: " << key;
      // A write may be durable without its acknowledgement having been reported: never older.
      EXPECT_GE(std::stoi(DataOf((*got)->value)), content) << key;
    }
  }
}

}  // namespace
}  // namespace osbx::standalone
