namespace StoryEngine.Server.Http;

/// <summary>The stable <c>code</c> a problem carries when nothing more specific was set, by status.</summary>
public static class ProblemCodes
{
    public static string ForStatus(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        428 => "precondition_required",
        429 => "too_many_requests",
        503 => "unavailable",
        _ => status >= 500 ? "internal_error" : "error",
    };

    /// <summary>A sentence saying what to do, for problems the framework raises without one.</summary>
    public static string? DefaultDetail(int status) => status switch
    {
        401 => "Send an access token in the Authorization header (Bearer). Get one from POST /api/v1/auth/login.",
        404 => "Nothing is at this address. The API lives under /api/v1; /docs lists every route.",
        405 => "This address does not accept that method; /docs lists what it does accept.",
        413 => "The request body is larger than the 1 MB this server accepts.",
        415 => "Send the body as JSON with Content-Type: application/json.",
        _ => null,
    };
}
