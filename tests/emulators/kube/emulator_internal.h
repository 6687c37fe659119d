// Helpers shared by the emulator's request handlers (kube_emulator*.cpp): response builders,
// body parsing, request facts (field manager, Table negotiation), managed fields.
#pragma once

#include <string>
#include <vector>

#include "api_errors.h"
#include "http_server.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

struct ApplyIntent;

emu::ServerResponse JsonAnswer(int status, std::string body);
emu::ServerResponse ErrorAnswer(const ApiError& e);

// The fieldManager of a write: the query parameter, else the User-Agent's first word
// ("kubectl/v1.32 ..." -> "kubectl").
std::string ManagerOf(const emu::ServerRequest& req);

// A boolean query parameter as the apiserver decodes it (Convert_Slice_string_To_bool): absent,
// "0" or "false" in any case is false; anything else, even an empty value, is true
// (python-kubernetes sends watch=True).
bool QueryBool(const emu::ServerRequest& req, std::string_view key);

// The request's Content-Type without parameters ("application/json").
std::string MediaTypeOf(const emu::ServerRequest& req);

// Whether the Accept header asks for a meta.k8s.io Table first.
bool WantsTable(const emu::ServerRequest& req);

// Parses a request body (JSON, or the protobuf kubectl's typed commands send) as an object;
// sets *error (400, or 415 for protobuf of a kind the emulator cannot decode) otherwise.
Result<json::Document> ParseObjectBody(const emu::ServerRequest& req, const ResourceType& t,
                                       ApiError* error);

// The fieldsV1 set for the fields of `obj` a write by one manager touched: the whole object
// except server-owned metadata (and except status for main-resource writes of types with a
// status subresource; only status for /status writes).
json::Value FieldsV1(const json::Value& obj, const ResourceType& t, const std::string& subresource,
                     json::Allocator& a);

// Records an update by `manager` of `old` (nullptr for a create) into `obj` as the apiserver
// does: the manager's (manager, Update, subresource) entry gains the fields the write changed,
// every other entry loses them, and everybody loses the fields it removed.
// With `apply` (a server-side apply), the applier's Apply entry is recorded instead (see
// server_side_apply.h).
void UpdateManagedFields(json::Document& obj, const ResourceType& t, const std::string& manager,
                         const std::string& subresource, const std::string& time,
                         const json::Value* old, const ApplyIntent* apply = nullptr);

// The managedFields an update of the main resource stores, as the apiserver decides: the
// request's when it sets non-empty ones (clients such as kubectl's client-side-apply upgrade
// edit them), none when it sets the reset value [{}], else the live object's. Sets them into
// `md` (the new metadata) and returns whether they differ from the live ones.
bool AdoptManagedFields(const json::Value& old_md, json::Value& md, json::Allocator& a);

// "kind/apiVersion" for a type as objects carry them.
std::string ApiVersionOf(const ResourceType& t);

}  // namespace vaultsync::kubeemu
