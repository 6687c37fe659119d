// events.k8s.io/v1 Event <-> core/v1 Event, the conversion the apiserver applies between the
// two versions of one stored kind (pkg/apis/events/v1/conversion.go): regarding <->
// involvedObject, note <-> message, reportingController <-> reportingComponent,
// deprecatedSource/FirstTimestamp/LastTimestamp/Count <-> source/firstTimestamp/
// lastTimestamp/count; eventTime, series, action, reason, related, type and
// reportingInstance are shared. Also the stricter validation events.k8s.io/v1 writes get.
#pragma once

#include <string>
#include <vector>

#include "api_errors.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// A stored (core/v1) Event as events.k8s.io/v1 shows it, in that type's member order. An
// object without kind/apiVersion (a list item) stays without them.
json::Document CoreEventToV1(const json::Value& core);

// An events.k8s.io/v1 Event in core/v1 form (kind/apiVersion set to Event, v1).
json::Document V1EventToCore(const json::Value& v1);

// The events.k8s.io/v1 create validation of an event in core form, in namespace `ns`
// (ValidateEventCreate with requestVersion events.k8s.io/v1). Field paths are the core
// ones, as the apiserver reports them.
std::vector<StatusCause> ValidateEventsV1Create(const json::Value& core, const std::string& ns);

// The events.k8s.io/v1 update validation (legacy checks, series, immutable fields).
std::vector<StatusCause> ValidateEventsV1Update(const json::Value& core, const json::Value& old,
                                                const std::string& ns);

}  // namespace vaultsync::kubeemu
