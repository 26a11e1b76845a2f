// RestClient::Watch: a streaming GET decoded into WatchEvents, with the end of the stream mapped
// to one on_close status.

#include <memory>

#include "pkg/kube/client/errors.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/watch_decoder.h"

namespace osbx::kube {
namespace {

constexpr size_t kMaxErrorBody = 1 << 20;

// What the stream callbacks share. Touched only on the transport's I/O thread (the stream's
// callbacks never run concurrently).
struct WatchState {
  WatchState(WatchCallbacks cb, std::unique_ptr<ObjectDecoder> objects)
      : callbacks(std::move(cb)), decoder(std::move(objects)) {}

  WatchCallbacks callbacks;
  WatchDecoder decoder;
  int code = 0;
  std::string retry_after;
  std::string error_body;  // body of a non-200 answer
  Status in_stream_error;  // set by an ERROR event
  bool closed = false;

  void Close(const Status& status) {
    if (closed) return;
    closed = true;
    if (callbacks.on_close) callbacks.on_close(status);
  }

  // Delivers an event unless the stream already failed; an ERROR event ends the stream.
  void Deliver(WatchEvent&& event) {
    if (!in_stream_error.ok()) return;
    if (event.type == WatchEventType::kError) in_stream_error = WatchErrorStatus(event);
    if (callbacks.on_event) callbacks.on_event(std::move(event));
  }

  bool OnData(std::string_view data) {
    if (code != 200) {
      if (error_body.size() < kMaxErrorBody) error_body.append(data);
      return true;
    }
    Status s = decoder.Feed(data, [this](WatchEvent&& e) { Deliver(std::move(e)); });
    if (!s.ok()) {
      Close(s);
      return false;
    }
    if (!in_stream_error.ok()) {
      Close(in_stream_error);
      return false;
    }
    return true;
  }

  void OnDone(const Status& status) {
    if (!status.ok()) return Close(status);
    if (code != 200) return Close(StatusFromResponse(code, error_body, retry_after));
    Status s = decoder.Finish([this](WatchEvent&& e) { Deliver(std::move(e)); });
    Close(!s.ok() ? s : in_stream_error);
  }
};

class RestWatchHandle final : public WatchHandle {
 public:
  explicit RestWatchHandle(std::unique_ptr<StreamHandle> stream) : stream_(std::move(stream)) {}
  ~RestWatchHandle() override { Stop(); }
  void Stop() override { stream_->Cancel(); }

 private:
  std::unique_ptr<StreamHandle> stream_;
};

}  // namespace

StatusOr<std::unique_ptr<WatchHandle>> RestClient::Watch(const ResourceRef& resource,
                                                         std::string_view ns,
                                                         const ListOptions& options,
                                                         WatchCallbacks callbacks,
                                                         std::unique_ptr<ObjectDecoder> decoder) {
  OSBX_ASSIGN_OR_RETURN(HttpHeaders headers, BaseHeaders());
  HttpRequest request{
      "GET",
      config_.server + ResourcePath(resource, ns) + EncodeQuery(ListQuery(options, /*watch=*/true)),
      std::move(headers), "", std::chrono::milliseconds(0)};
  Clock::Duration idle = options_.watch_default_idle;
  if (options.timeout_seconds && *options.timeout_seconds > 0) {
    idle = std::chrono::seconds(*options.timeout_seconds) + options_.watch_idle_slack;
  }
  auto state = std::make_shared<WatchState>(std::move(callbacks), std::move(decoder));
  StreamCallbacks stream;
  Clock::TimePoint start = clock_.Now();
  stream.on_response = [state, start, this, name = resource.resource](
                           int code, const HttpHeaders& response_headers) {
    state->code = code;
    for (const auto& [header, value] : response_headers) {
      if (header == "retry-after") state->retry_after = value;
    }
    if (options_.observer) options_.observer({"WATCH", host_, name, code, clock_.Now() - start});
  };
  stream.on_data = [state](std::string_view data) { return state->OnData(data); };
  stream.on_done = [state](const Status& status) { state->OnDone(status); };
  return std::unique_ptr<WatchHandle>(std::make_unique<RestWatchHandle>(
      transport_->OpenStream(std::move(request), std::move(stream), idle)));
}

}  // namespace osbx::kube
