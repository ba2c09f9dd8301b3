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

    /// <summary>
    /// The problem <c>type</c>: the RFC section that defines the status, the way the framework's writer sets it for
    /// the statuses it knows. It left 428 and 429 without one, and our own writer set none at all (issue 15).
    /// </summary>
    public static string TypeFor(int status) => status switch
    {
        428 => "https://tools.ietf.org/html/rfc6585#section-3",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        _ when Rfc9110Sections.TryGetValue(status, out var section) =>
            $"https://tools.ietf.org/html/rfc9110#section-{section}",
        _ => "about:blank", // RFC 9457 section 4.2.1: the status code says it all
    };

    private static readonly Dictionary<int, string> Rfc9110Sections = new()
    {
        [400] = "15.5.1", [401] = "15.5.2", [402] = "15.5.3", [403] = "15.5.4", [404] = "15.5.5", [405] = "15.5.6",
        [406] = "15.5.7", [407] = "15.5.8", [408] = "15.5.9", [409] = "15.5.10", [410] = "15.5.11", [411] = "15.5.12",
        [412] = "15.5.13", [413] = "15.5.14", [414] = "15.5.15", [415] = "15.5.16", [416] = "15.5.17",
        [417] = "15.5.18", [421] = "15.5.20", [422] = "15.5.21", [426] = "15.5.22", [500] = "15.6.1",
        [501] = "15.6.2", [502] = "15.6.3", [503] = "15.6.4", [504] = "15.6.5", [505] = "15.6.6",
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
