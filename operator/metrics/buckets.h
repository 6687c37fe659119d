// Histogram bucket boundaries, in one place so that the compatibility promise ("the same
// buckets as controller-runtime") is visible and checked by tests against literal values.
#pragma once

#include <vector>

namespace vaultsync::metrics {

// controller_runtime_reconcile_time_seconds: controller-runtime's explicit list, 5ms..60s
// (finer below 1s, where most reconciles land).
std::vector<double> ReconcileTimeBuckets();

// workqueue_queue_duration_seconds and workqueue_work_duration_seconds: client-go's
// exponential buckets starting at 10e-9 (= 1e-8 s) with factor 10, ten of them (up to 10s),
// computed by repeated multiplication exactly as Go's prometheus.ExponentialBuckets does, so
// the `le` values are bit-for-bit the same (9.999999999999999e-06 included). This matches the
// controller-runtime releases whose work-queue metrics carry only the `name` label (the ones
// SPEC promises); later releases added labels and two more buckets.
std::vector<double> WorkQueueDurationBuckets();

// vaultsync_vault_request_duration_seconds: our own choice. A KV read or login against a
// nearby Vault takes a few ms, a loaded or remote one hundreds of ms, and a request gives up
// at the connection's timeout (30s by default): Prometheus' default buckets (5ms..10s) plus
// 30s so that timeouts land in their own bucket instead of +Inf.
std::vector<double> VaultRequestBuckets();

// rest_client_request_duration_seconds: client-go's list (k8s.io/component-base's restclient
// metrics), 5ms..60s.
std::vector<double> RestClientDurationBuckets();

}  // namespace vaultsync::metrics
