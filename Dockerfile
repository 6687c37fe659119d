# vaultsync operator image (the one charts/vaultsync deploys). Multi-stage: build on Debian 12
# with the project's own dependency script, run on debian:12-slim with only the runtime
# libraries, as the non-root user 65532 the chart's securityContext expects.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN apt-get update && bash scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAULTSYNC_BUILD_TESTS=OFF \
 && ninja -C /build vaultsync-operator

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpprest2.10 libprometheus-cpp-core1.0 libyaml-cpp0.7 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/bin/vaultsync-operator /usr/local/bin/vaultsync-operator
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/vaultsync-operator"]
