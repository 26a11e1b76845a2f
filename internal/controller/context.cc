#include "internal/controller/context.h"

#include <atomic>
#include <thread>

#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::controller {

std::vector<kube::ObjectPtr> ControllerContext::PodsControlledBy(std::string_view owner_uid) const {
  std::vector<kube::ObjectPtr> out;
  StatusOr<std::vector<kube::ObjectPtr>> owned = pods.ByIndex(kube::kOwnerUidIndex, owner_uid);
  if (!owned.ok()) {
    // The manager was built without RequiredIndexers(): correct, but a scan of every pod.
    owned = pods.List();
  }
  for (kube::ObjectPtr& pod : *owned) {
    if (kube::IsControlledBy(*pod, owner_uid)) out.push_back(std::move(pod));
  }
  return out;
}

std::vector<scheduler::PodView> ControllerContext::PodViewsControlledBy(
    std::string_view owner_uid, const PodViewCache::Filter& keep) const {
  return pod_views.ControlledBy(pods, owner_uid, keep);
}

std::vector<kube::ObjectPtr> ControllerContext::BatchesOfPool(std::string_view pool_key) const {
  std::vector<kube::ObjectPtr> out;
  for (const std::string& key : directory.BatchesOfPool(pool_key)) {
    if (kube::ObjectPtr obj = batches.Get(key)) out.push_back(std::move(obj));
  }
  return out;
}

std::vector<scheduler::RecordSource> ControllerContext::CachedRecords(
    std::string_view pool_key) const {
  std::vector<scheduler::RecordSource> out;
  for (const kube::ObjectPtr& batch : BatchesOfPool(pool_key)) {
    out.push_back(scheduler::RecordSourceFromBatchSandbox(*batch));
  }
  return out;
}

std::string ControllerContext::NowString() const { return kube::FormatTime(clock.WallNow()); }

void RunParallel(size_t n, int parallel, const std::function<void(size_t)>& fn) {
  if (n <= 1 || parallel <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  const size_t threads = std::min(n, static_cast<size_t>(parallel)) - 1;
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

std::string JoinNames(const std::vector<std::string>& names, size_t limit) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > limit) out += " and " + std::to_string(names.size() - limit) + " more";
  return out;
}

std::map<std::string, scheduler::PodView, std::less<>> ViewsByName(
    const std::vector<kube::ObjectPtr>& objects) {
  std::map<std::string, scheduler::PodView, std::less<>> out;
  for (const kube::ObjectPtr& obj : objects) {
    scheduler::PodView view = scheduler::FromPod(*obj);
    std::string name = view.name;
    out.emplace(std::move(name), std::move(view));
  }
  return out;
}

std::map<std::string, scheduler::PodView, std::less<>> ViewsByName(
    std::vector<scheduler::PodView> views) {
  std::map<std::string, scheduler::PodView, std::less<>> out;
  for (scheduler::PodView& view : views) {
    std::string name = view.name;
    out.emplace(std::move(name), std::move(view));
  }
  return out;
}

}  // namespace osbx::controller
