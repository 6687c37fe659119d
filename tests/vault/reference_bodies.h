// Response bodies copied byte for byte from recorded answers of a real Vault 1.8 dev server
// (the project's reference transcripts), so unit tests parse what Vault really sends.
// Each constant names the call it answered.
#pragma once

#include <string_view>

namespace vaultsync::vault::testing {

// GET /v1/sys/health HTTP/1.1 -> 200 OK
inline constexpr std::string_view kHealthActive =
    R"VLT({"initialized":true,"sealed":false,"standby":false,"performance_standby":false,"replication_performance_mode":"disabled","replication_dr_mode":"disabled","server_time_utc":1795427292,"version":"1.8.0-dev","cluster_name":"vault-cluster-897aae25","cluster_id":"c73bbae9-24ee-ba15-31bb-59b477e35d5d"}
)VLT";
// GET /v1/sys/seal-status HTTP/1.1 -> 200 OK
inline constexpr std::string_view kSealStatus =
    R"VLT({"type":"shamir","initialized":true,"sealed":false,"t":1,"n":1,"progress":0,"nonce":"","version":"1.8.0-dev","migration":false,"cluster_name":"vault-cluster-897aae25","cluster_id":"c73bbae9-24ee-ba15-31bb-59b477e35d5d","recovery_seal":false,"storage_type":"inmem"}
)VLT";
// GET /v1/sys/internal/ui/mounts/secret/foo HTTP/1.1 -> 200 OK
inline constexpr std::string_view kUiMountsSecret =
    R"VLT({"request_id":"58fc6328-8471-4f01-820d-3526877eafdc","lease_id":"","renewable":false,"lease_duration":0,"data":{"accessor":"kv_5e9c76ff","config":{"default_lease_ttl":0,"force_no_cache":false,"max_lease_ttl":0},"description":"key/value secret storage","external_entropy_access":false,"local":false,"options":{"version":"2"},"path":"secret/","seal_wrap":false,"type":"kv","uuid":"922b860e-5d57-fbdf-e865-02f33d5c994c"},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/sys/internal/ui/mounts/kv1/foo HTTP/1.1 -> 200 OK
inline constexpr std::string_view kUiMountsKv1 =
    R"VLT({"request_id":"094d329d-0caf-0b82-13c7-ec462effc101","lease_id":"","renewable":false,"lease_duration":0,"data":{"accessor":"kv_e43d4dec","config":{"default_lease_ttl":0,"force_no_cache":false,"max_lease_ttl":0},"description":"kv v1 for reference","external_entropy_access":false,"local":false,"options":{"version":"1"},"path":"kv1/","seal_wrap":false,"type":"kv","uuid":"5c23fdee-dd72-858f-d66f-fc92626f715a"},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/sys/internal/ui/mounts/nomount/foo HTTP/1.1 -> 403 Forbidden
inline constexpr std::string_view kUiMountsPreflight403 =
    R"VLT({"errors":["preflight capability check returned 403, please ensure client's policies grant access to path \"nomount/foo/\""]}
)VLT";
// GET /v1/sys/internal/ui/mounts/secret/foo HTTP/1.1 -> 400 Bad Request
inline constexpr std::string_view kMissingClientToken = R"VLT({"errors":["missing client token"]}
)VLT";
// POST /v1/secret/data/app/db HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2Write =
    R"VLT({"request_id":"eb285a4b-39f4-5fce-8678-21b9efbebafa","lease_id":"","renewable":false,"lease_duration":0,"data":{"created_time":"2026-11-23T09:48:12.356260116Z","deletion_time":"","destroyed":false,"version":1},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// POST /v1/secret/data/app/db HTTP/1.1 -> 400 Bad Request
inline constexpr std::string_view kKv2CasMismatch =
    R"VLT({"errors":["check-and-set parameter did not match the current version"]}
)VLT";
// GET /v1/secret/data/app/db HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2Read =
    R"VLT({"request_id":"ac581f3f-27e2-c196-ea8a-44e2aa47d1f8","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"password":"n3w-pass","username":"admin"},"metadata":{"created_time":"2026-11-23T09:48:12.384635017Z","deletion_time":"","destroyed":false,"version":2}},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/secret/data/app/db?version=1 HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2ReadV1 =
    R"VLT({"request_id":"a3ba802e-cd29-7245-cc51-18ece7452e55","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"password":"s3cr3t","username":"admin"},"metadata":{"created_time":"2026-11-23T09:48:12.356260116Z","deletion_time":"","destroyed":false,"version":1}},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/secret/data/app/missing HTTP/1.1 -> 404 Not Found
inline constexpr std::string_view kNotFoundEmpty = R"VLT({"errors":[]}
)VLT";
// GET /v1/secret/metadata/app/db HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2Metadata =
    R"VLT({"request_id":"9c0bcb68-6a20-d18d-bdc1-f07b92617777","lease_id":"","renewable":false,"lease_duration":0,"data":{"cas_required":false,"created_time":"2026-11-23T09:48:12.356260116Z","current_version":2,"delete_version_after":"0s","max_versions":0,"oldest_version":0,"updated_time":"2026-11-23T09:48:12.384635017Z","versions":{"1":{"created_time":"2026-11-23T09:48:12.356260116Z","deletion_time":"","destroyed":false},"2":{"created_time":"2026-11-23T09:48:12.384635017Z","deletion_time":"","destroyed":false}}},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// LIST /v1/secret/metadata/app HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2List =
    R"VLT({"request_id":"e5a028b6-c3c6-8f85-36ce-48f9d4e51669","lease_id":"","renewable":false,"lease_duration":0,"data":{"keys":["db","nested/","web"]},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/secret/data/app/db HTTP/1.1 -> 404 Not Found
inline constexpr std::string_view kKv2ReadDeleted =
    R"VLT({"request_id":"ea2a9205-b2f5-cf83-9f32-d753eb7a67a5","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":null,"metadata":{"created_time":"2026-11-23T09:48:12.384635017Z","deletion_time":"2026-11-23T09:48:12.756721897Z","destroyed":false,"version":2}},"wrap_info":null,"warnings":null,"auth":null})VLT";
// GET /v1/secret/data/app/db?version=1 HTTP/1.1 -> 404 Not Found
inline constexpr std::string_view kKv2ReadDestroyed =
    R"VLT({"request_id":"8e0470f5-d2fc-d78a-687f-bf03c8b9aa2a","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":null,"metadata":{"created_time":"2026-11-23T09:48:12.356260116Z","deletion_time":"","destroyed":true,"version":1}},"wrap_info":null,"warnings":null,"auth":null})VLT";
// GET /v1/secret/metadata/app/db HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2MetadataDestroyed =
    R"VLT({"request_id":"b03374b8-8c49-4023-3ce9-3782bc6a97c3","lease_id":"","renewable":false,"lease_duration":0,"data":{"cas_required":false,"created_time":"2026-11-23T09:48:12.356260116Z","current_version":2,"delete_version_after":"0s","max_versions":0,"oldest_version":0,"updated_time":"2026-11-23T09:48:12.384635017Z","versions":{"1":{"created_time":"2026-11-23T09:48:12.356260116Z","deletion_time":"","destroyed":true},"2":{"created_time":"2026-11-23T09:48:12.384635017Z","deletion_time":"","destroyed":false}}},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/secret/data/app/typed HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv2ReadTyped =
    R"VLT({"request_id":"6235f799-1ed8-8931-0f01-2db434f56f0b","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"big":12345678901234567000,"enabled":true,"list":["a",1,false,null],"nested":{"inner":{"deep":1},"k":"v"},"nothing":null,"port":5432,"ratio":0.75,"string":"text"},"metadata":{"created_time":"2026-11-23T09:48:12.982612371Z","deletion_time":"","destroyed":false,"version":1}},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/kv1/app/config HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv1Read =
    R"VLT({"request_id":"e0453169-28c0-fc69-e372-3e14b99ff5cf","lease_id":"","renewable":false,"lease_duration":1800,"data":{"password":"pw","ttl":"30m","user":"svc"},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// LIST /v1/kv1/app HTTP/1.1 -> 200 OK
inline constexpr std::string_view kKv1List =
    R"VLT({"request_id":"4d3bc47d-12e9-d054-1bec-4427f3c6c8f7","lease_id":"","renewable":false,"lease_duration":0,"data":{"keys":["config","other"]},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// POST /v1/auth/token/create HTTP/1.1 -> 200 OK
inline constexpr std::string_view kTokenCreate =
    R"VLT({"request_id":"18b15574-6246-aa84-cb85-38a2e2240658","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":null,"auth":{"client_token":"s.onrmpUnVX6FShZ5xu1hzc31B","accessor":"4bqdQuKTIbYYhqYG2cXriYni","policies":["default"],"token_policies":["default"],"metadata":{"purpose":"reference"},"lease_duration":60,"renewable":true,"entity_id":"","token_type":"service","orphan":false}}
)VLT";
// GET /v1/auth/token/lookup-self HTTP/1.1 -> 200 OK
inline constexpr std::string_view kLookupSelf =
    R"VLT({"request_id":"74ee2d6a-4531-9bf4-6917-3d3d56b8c804","lease_id":"","renewable":false,"lease_duration":0,"data":{"accessor":"4bqdQuKTIbYYhqYG2cXriYni","creation_time":1795427293,"creation_ttl":60,"display_name":"token-child","entity_id":"","expire_time":"2026-11-23T09:49:13.151590144Z","explicit_max_ttl":120,"id":"s.onrmpUnVX6FShZ5xu1hzc31B","issue_time":"2026-11-23T09:48:13.151605142Z","meta":{"purpose":"reference"},"num_uses":0,"orphan":false,"path":"auth/token/create","policies":["default"],"renewable":true,"ttl":60,"type":"service"},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// POST /v1/auth/token/renew-self HTTP/1.1 -> 200 OK
inline constexpr std::string_view kRenewSelf =
    R"VLT({"request_id":"acd36e38-b612-ce4a-60e5-0e1b2f775bb7","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":null,"auth":{"client_token":"s.onrmpUnVX6FShZ5xu1hzc31B","accessor":"4bqdQuKTIbYYhqYG2cXriYni","policies":["default"],"token_policies":["default"],"metadata":{"purpose":"reference"},"lease_duration":30,"renewable":true,"entity_id":"","token_type":"service","orphan":false}}
)VLT";
// POST /v1/auth/token/renew-self HTTP/1.1 -> 200 OK
inline constexpr std::string_view kRenewSelfCapped =
    R"VLT({"request_id":"61d170ce-b50e-af96-75f6-239f7f730832","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":["TTL of \"5m\" exceeded the effective max_ttl of \"1m58s\"; TTL value is capped accordingly"],"auth":{"client_token":"s.onrmpUnVX6FShZ5xu1hzc31B","accessor":"4bqdQuKTIbYYhqYG2cXriYni","policies":["default"],"token_policies":["default"],"metadata":{"purpose":"reference"},"lease_duration":118,"renewable":true,"entity_id":"","token_type":"service","orphan":false}}
)VLT";
// GET /v1/auth/token/lookup-self HTTP/1.1 -> 403 Forbidden
inline constexpr std::string_view kPermissionDenied = R"VLT({"errors":["permission denied"]}
)VLT";
// LIST /v1/sys/policies/acl HTTP/1.1 -> 200 OK
inline constexpr std::string_view kPolicyList =
    R"VLT({"request_id":"deefeb9d-ff08-9db5-3779-4fc206545b17","lease_id":"","renewable":false,"lease_duration":0,"data":{"keys":["app-read","default","root"]},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// GET /v1/sys/policies/acl/app-read HTTP/1.1 -> 200 OK
inline constexpr std::string_view kPolicyRead =
    R"VLT({"request_id":"031de3c8-45c5-e096-8454-eb32ed88d111","lease_id":"","renewable":false,"lease_duration":0,"data":{"name":"app-read","policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"},"wrap_info":null,"warnings":null,"auth":null}
)VLT";
// POST /v1/auth/kubernetes/login HTTP/1.1 -> 200 OK
inline constexpr std::string_view kK8sLogin =
    R"VLT({"request_id":"7984dc33-1f6f-d4bf-a9a6-cfa72e78d89b","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":null,"auth":{"client_token":"s.o8aGM6oM2ts4BYqhUdv6lRSO","accessor":"6do7T13dqhd7UMKHNYgtvTvL","policies":["app-read","default"],"token_policies":["app-read","default"],"metadata":{"role":"app","service_account_name":"default","service_account_namespace":"demo","service_account_secret_name":"","service_account_uid":"f63236a1-de39-482c-8f4e-96f07ccc2da9"},"lease_duration":60,"renewable":true,"entity_id":"d2fa18b8-6df1-3cad-7da3-62537f8ec1fe","token_type":"service","orphan":true}}
)VLT";
// POST /v1/auth/kubernetes/login HTTP/1.1 -> 500 Internal Server Error
inline constexpr std::string_view kK8sLoginWrongNamespace =
    R"VLT({"errors":["namespace not authorized"]}
)VLT";
// POST /v1/auth/kubernetes/login HTTP/1.1 -> 400 Bad Request
inline constexpr std::string_view kK8sLoginUnknownRole =
    R"VLT({"errors":["invalid role name \"nope\""]}
)VLT";
// POST /v1/auth/approle/login HTTP/1.1 -> 200 OK
inline constexpr std::string_view kAppRoleLogin =
    R"VLT({"request_id":"963b1a73-270e-1b8c-e628-3faf9127803c","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":null,"auth":{"client_token":"s.Bb0UwSl7lFjTW9cKEOImbdE9","accessor":"6hlrQufESP3U4MKCpdrSIsWY","policies":["app-read","default"],"token_policies":["app-read","default"],"metadata":{"role_name":"sync"},"lease_duration":60,"renewable":true,"entity_id":"22ab44f9-eddb-8156-2cf2-cc01e8060825","token_type":"service","orphan":true}}
)VLT";
// GET /v1/secret/data/app/config HTTP/1.1 -> 503 Service Unavailable
inline constexpr std::string_view kSealedWithToken =
    R"VLT({"errors":["error performing token check: Vault is sealed"]}
)VLT";
// GET /v1/sys/health HTTP/1.1 -> 503 Service Unavailable
inline constexpr std::string_view kHealthSealed =
    R"VLT({"initialized":true,"sealed":true,"standby":true,"performance_standby":false,"replication_performance_mode":"unknown","replication_dr_mode":"unknown","server_time_utc":1795427296,"version":"1.8.0-dev"}
)VLT";
// GET /v1/secret/data/app/config HTTP/1.1 -> 429 Too Many Requests
inline constexpr std::string_view kRateLimited =
    R"VLT({"errors":["request path \"secret/data/app/config\": rate limit quota exceeded"]}
)VLT";
// GET /v1/nomount/foo HTTP/1.1 -> 404 Not Found
inline constexpr std::string_view kNoHandler =
    R"VLT({"errors":["no handler for route 'nomount/foo'"]}
)VLT";

}  // namespace vaultsync::vault::testing
