# The task-executor image: the sidecar that runs process tasks inside a sandbox pod. Built like
# the controller; the runtime keeps only the shared libraries the binary links.
#
#   docker build -f images/task-executor.Dockerfile -t <registry>/opensandbox-task-executor:tag .

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev libboost1.81-dev \
      libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev libsqlite3-dev libsimdjson-dev \
      libgtest-dev libgmock-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOSBX_BENCH=OFF \
 && cmake --build /build --target opensandbox-task-executor \
 && strip /build/bin/opensandbox-task-executor

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libyaml-cpp0.7 libcurl4 libssl3 libsqlite3-0 libspdlog1.10 libfmt9 \
      libprometheus-cpp-core1.0 libsimdjson14 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/bin/opensandbox-task-executor /opensandbox-task-executor
# The executor listens on 5758 for the controller's task requests.
EXPOSE 5758
USER 65532:65532
ENTRYPOINT ["/opensandbox-task-executor"]
