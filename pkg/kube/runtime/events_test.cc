#include "pkg/kube/runtime/events.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace osbx::kube {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Records what the recorder writes; patches are applied as merge patches on top-level fields.
class FakeEventSink final : public EventSink {
 public:
  StatusOr<Json> Create(const std::string& ns, const Json& event) override {
    std::lock_guard lock(mu_);
    ++creates;
    std::string key = ns + "/" + event["metadata"]["name"].get<std::string>();
    if (events.contains(key)) return AlreadyExistsError(key);
    events[key] = event;
    return event;
  }
  StatusOr<Json> Patch(const std::string& ns, const std::string& name, const Json& patch) override {
    std::lock_guard lock(mu_);
    ++patches;
    auto it = events.find(ns + "/" + name);
    if (it == events.end()) return NotFoundError(name);
    it->second.merge_patch(patch);
    return it->second;
  }
  std::mutex mu_;
  std::map<std::string, Json> events;
  int creates = 0;
  int patches = 0;
};

Json Pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "team"}, {"uid", "uid-" + name}}}};
}

TEST(EventRecorderTest, WritesACoreV1EventAboutTheObject) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorderOptions options;
  options.host = "node-1";
  EventRecorder recorder(sink, clock, options);
  recorder.Event(Pod("p"), EventType::kWarning, "FailedCreate", "quota exceeded");
  recorder.Flush();
  ASSERT_EQ(sink.events.size(), 1u);
  const Json& e = sink.events.begin()->second;
  EXPECT_EQ(e["metadata"]["namespace"], "team");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "FailedCreate");
  EXPECT_EQ(e["message"], "quota exceeded");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["source"]["component"], "opensandbox-controller");
  EXPECT_EQ(e["source"]["host"], "node-1");
  EXPECT_EQ(e["involvedObject"]["kind"], "Pod");
  EXPECT_EQ(e["involvedObject"]["uid"], "uid-p");
  EXPECT_EQ(e["firstTimestamp"], e["lastTimestamp"]);
}

TEST(EventRecorderTest, RepeatsBecomeACountPatchedOnOneEvent) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorder recorder(sink, clock);
  recorder.Event(Pod("p"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  std::string first = sink.events.begin()->second["firstTimestamp"];
  clock.Advance(seconds(30));
  recorder.Event(Pod("p"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Event(Pod("p"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.creates, 1);
  EXPECT_EQ(sink.patches, 2);
  const Json& e = sink.events.begin()->second;
  EXPECT_EQ(e["count"], 3);
  EXPECT_EQ(e["firstTimestamp"], first);
  EXPECT_NE(e["lastTimestamp"], first);
}

TEST(EventRecorderTest, DifferentMessagesOrObjectsAreSeparateEvents) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorder recorder(sink, clock);
  recorder.Event(Pod("p"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Event(Pod("p"), EventType::kNormal, "Scaled", "scaled to 4");
  recorder.Event(Pod("q"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Event(Pod("q"), EventType::kWarning, "Scaled", "scaled to 3");
  recorder.Flush();
  EXPECT_EQ(sink.events.size(), 4u);
  EXPECT_EQ(sink.patches, 0);
}

TEST(EventRecorderTest, AnExpiredAggregateIsRecreated) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorder recorder(sink, clock);
  recorder.Event(Pod("p"), EventType::kNormal, "Ready", "ready");
  recorder.Flush();
  sink.events.clear();  // the API server's event TTL removed it
  recorder.Event(Pod("p"), EventType::kNormal, "Ready", "ready");
  recorder.Flush();
  EXPECT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.creates, 2);
}

TEST(EventRecorderTest, AnObjectThatSpamsIsThrottledWithoutAffectingOthers) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorderOptions options;
  options.burst_per_object = 5;
  options.refill_interval = minutes(5);
  EventRecorder recorder(sink, clock, options);
  for (int i = 0; i < 20; ++i) {
    recorder.Event(Pod("hot"), EventType::kWarning, "Crash", "crash " + std::to_string(i));
  }
  recorder.Event(Pod("calm"), EventType::kNormal, "Ready", "ready");
  recorder.Flush();
  EXPECT_EQ(sink.creates, 6);  // 5 for "hot", 1 for "calm"
  EXPECT_EQ(recorder.dropped(), 15u);
  clock.Advance(minutes(5));  // one more token earned
  recorder.Event(Pod("hot"), EventType::kWarning, "Crash", "crash again");
  recorder.Event(Pod("hot"), EventType::kWarning, "Crash", "crash once more");
  recorder.Flush();
  EXPECT_EQ(sink.creates, 7);
}

TEST(EventRecorderTest, ManyDifferentMessagesForOneReasonAreCombined) {
  FakeEventSink sink;
  FakeClock clock;
  EventRecorder recorder(sink, clock);
  for (int i = 0; i < 15; ++i) {
    recorder.Event(Pod("p"), EventType::kWarning, "Failed", "attempt " + std::to_string(i));
  }
  recorder.Flush();
  EXPECT_EQ(sink.creates, 10);  // nine distinct events, then one combined
  EXPECT_EQ(sink.patches, 5);
  int combined = 0;
  for (const auto& [name, e] : sink.events) {
    std::string message = e["message"];
    if (message.starts_with("(combined from similar events): ")) {
      ++combined;
      EXPECT_EQ(e["count"], 6);
      EXPECT_EQ(message, "(combined from similar events): attempt 14");
    }
  }
  EXPECT_EQ(combined, 1);
  clock.Advance(std::chrono::minutes(11));  // a new window: messages stand alone again
  recorder.Event(Pod("p"), EventType::kWarning, "Failed", "attempt 99");
  recorder.Flush();
  EXPECT_EQ(sink.creates, 11);
}

// A sink that blocks until released, to fill the recorder's queue.
class BlockingSink final : public EventSink {
 public:
  StatusOr<Json> Create(const std::string&, const Json& event) override {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    return event;
  }
  StatusOr<Json> Patch(const std::string&, const std::string&, const Json& p) override { return p; }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return entered_ > 0; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
};

TEST(EventRecorderTest, AFullQueueDropsInsteadOfBlockingTheCaller) {
  BlockingSink sink;
  FakeClock clock;
  EventRecorderOptions options;
  options.queue_capacity = 3;
  EventRecorder recorder(sink, clock, options);
  recorder.Event(Pod("a"), EventType::kNormal, "R", "m");
  sink.WaitEntered();  // the writer is stuck in the API call
  for (int i = 0; i < 10; ++i) recorder.Event(Pod("b"), EventType::kNormal, "R", std::to_string(i));
  EXPECT_EQ(recorder.dropped(), 7u);
  sink.Release();
  recorder.Flush();
}

}  // namespace
}  // namespace osbx::kube
