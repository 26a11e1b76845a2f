# The controller image: built from source on Debian bookworm with Debian's own packages, then
# copied into a slim runtime holding only the shared libraries the binary links.
#
#   docker build -f images/controller.Dockerfile -t <registry>/opensandbox-controller:tag .

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev libboost1.81-dev \
      libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev libsqlite3-dev libsimdjson-dev \
      libjemalloc-dev \
      libgtest-dev libgmock-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOSBX_BENCH=OFF \
 && cmake --build /build --target opensandbox-controller \
 && strip /build/bin/opensandbox-controller

FROM debian:bookworm-slim
# The runtime packages of the libraries the project links (the -dev packages above).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libyaml-cpp0.7 libcurl4 libssl3 libsqlite3-0 libspdlog1.10 libfmt9 \
      libprometheus-cpp-core1.0 libsimdjson14 libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/bin/opensandbox-controller /opensandbox-controller
USER 65532:65532
ENTRYPOINT ["/opensandbox-controller"]
