#pragma once
// The Kubernetes event reasons the Pool and BatchSandbox controllers emit: every decision a user
// would ask about ("why was my pod deleted?", "why is my sandbox not delivered?"). Reasons are
// part of the user-facing API (kubectl describe, alerting), so they never change meaning.

namespace osbx::controller {

// ---- on a BatchSandbox ----
inline constexpr const char* kReasonExpired = "Expired";  // expireTime reached
inline constexpr const char* kReasonInvalidExpireTime = "InvalidExpireTime";
inline constexpr const char* kReasonInvalidSpec = "InvalidSpec";  // undecodable object
inline constexpr const char* kReasonSuccessfulCreate = "SuccessfulCreate";
inline constexpr const char* kReasonFailedCreate = "FailedCreate";
inline constexpr const char* kReasonSuccessfulDelete = "SuccessfulDelete";
inline constexpr const char* kReasonFailedDelete = "FailedDelete";
inline constexpr const char* kReasonAllocated = "Allocated";  // pods bound from a pool
inline constexpr const char* kReasonReleased = "Released";    // pods given back
inline constexpr const char* kReasonRecycled = "Recycled";    // the Pool recycled them
inline constexpr const char* kReasonPoolNotFound = "PoolNotFound";
inline constexpr const char* kReasonPoolDeleting = "PoolDeleting";
inline constexpr const char* kReasonPoolExhausted = "PoolExhausted";
inline constexpr const char* kReasonTemplateIncompatible = "TemplateIncompatible";
inline constexpr const char* kReasonAllocationConflict = "AllocationConflict";
inline constexpr const char* kReasonRecordMalformed = "RecordMalformed";
inline constexpr const char* kReasonAutoAssignUnsupported = "PoolAutoAssignUnsupported";

// ---- on a Pool ----
inline constexpr const char* kReasonPodDeleted = "PodDeleted";  // message names the cause
inline constexpr const char* kReasonRestartUnsupported = "RestartUnsupported";
inline constexpr const char* kReasonOrphanReleased = "OrphanReleased";
inline constexpr const char* kReasonWaitingForSandboxes = "WaitingForSandboxes";
inline constexpr const char* kReasonInvalidMaxUnavailable = "InvalidMaxUnavailable";

}  // namespace osbx::controller
