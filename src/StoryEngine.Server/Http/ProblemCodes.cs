using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Server.Http;

/// <summary>
/// One kind of problem: the exception type that raises it (null for those the framework, a middleware or the
/// narration stream raise), its status and title, and every <c>code</c> it can carry.
/// </summary>
public sealed record ProblemKind(Type? Exception, int Status, string Title, IReadOnlyList<string> Codes);

/// <summary>
/// The catalogue of problems: every <c>code</c> a client may see, with its status, and the status and title each
/// exception type gets. The exception handler and the web pages read it; docs/api.md's Errors table lists exactly
/// its codes (ProblemCatalogueTests), so a new code is added here and documented there, in one change.
/// </summary>
public static class ProblemCodes
{
    /// <summary>By status; an exception takes the row of its nearest type (<see cref="For"/>).</summary>
    public static readonly IReadOnlyList<ProblemKind> Catalogue =
    [
        Raised(400, "Bad request", "bad_request", "malformed_json"),
        Of<ValidationFailedException>(400, "Validation failed", "validation_failed"),
        Of<InvalidFileException>(
            400,
            "Invalid file",
            "invalid_card",
            "invalid_lorebook",
            "invalid_chat",
            "invalid_preset",
            "invalid_image",
            "invalid_document",
            "invalid_scenario"
        ),
        Of<UnauthorizedException>(
            401,
            "Unauthorized",
            "unauthorized",
            "invalid_credentials",
            "invalid_refresh_token",
            "invalid_reset_token",
            "invalid_two_factor_code",
            "two_factor_required"
        ),
        Raised(401, "Unauthorized", "invalid_token"),
        // Issue 24: a scenario's share link opened without its password, or with a wrong one.
        Of<Core.Scenarios.SharePasswordException>(
            401,
            "Unauthorized",
            Core.Scenarios.SharePasswordException.ProblemCode
        ),
        Of<ForbiddenException>(403, "Forbidden", "forbidden", "account_disabled"),
        Of<NotFoundException>(404, "Not found", "not_found"),
        Raised(405, "Method not allowed", "method_not_allowed"),
        Raised(406, "Not acceptable", "not_acceptable"),
        Of<TurnInProgressException>(409, "Conflict", TurnInProgressException.ProblemCode),
        Of<NoTurnInProgressException>(409, "Conflict", NoTurnInProgressException.ProblemCode),
        Of<NotNewestTurnException>(409, "Conflict", NotNewestTurnException.ProblemCode),
        Of<NothingToUndoException>(409, "Conflict", NothingToUndoException.ProblemCode),
        Of<TurnUndoneException>(409, "Conflict", TurnUndoneException.ProblemCode),
        Of<OpeningLockedException>(409, "Conflict", OpeningLockedException.ProblemCode),
        Of<StoryConflictException>(409, "Conflict", StoryConflictException.ProblemCode),
        Of<ConflictException>(
            409,
            "Conflict",
            "conflict",
            "username_taken",
            "email_taken",
            "location_has_children",
            "not_deleted",
            "cannot_change_self",
            "too_many_keys",
            "two_factor_already_enabled",
            "two_factor_not_enabled",
            "job_duplicate",
            "job_state",
            "preview_expired",
            "no_combat",
            // Issue 24: a choice the scene does not offer now; scenario play on an adventure that plays none.
            Core.Scenarios.ChoiceUnavailableException.ProblemCode,
            Core.Scenarios.NotAScenarioAdventureException.ProblemCode,
            Core.Bedtime.AudioNotReadyException.ProblemCode
        ),
        Of<Core.Scenarios.ShareGoneException>(410, "Gone", Core.Scenarios.ShareGoneException.ProblemCode),
        Of<PreconditionFailedException>(412, "Precondition failed", "precondition_failed"),
        Of<PayloadTooLargeException>(413, "Payload too large", "payload_too_large"),
        Raised(415, "Unsupported media type", "unsupported_media_type"),
        Of<UnsupportedFormatException>(415, "Unsupported format", "unsupported_format"),
        Of<ActionTooLongException>(422, "Unprocessable action", "action_too_long"),
        // A CHARX whose entry names are not plain relative paths (issue 15): refused whole, naming the entry.
        Of<UnsafeArchiveEntryException>(422, "Unsafe archive entry", "unsafe_archive_entry"),
        Of<ChatTooLongException>(422, "Chat too long", "chat_too_long"),
        // issue 25: a bedtime story asked about something the content guard will not write for a child.
        Of<Core.Bedtime.BedtimeRefusedException>(422, "Refused for a bedtime story", "bedtime_refused"),
        // A world document with more text than Knowledge:MaxDocumentCharacters (issue 20), naming the limit.
        Of<DocumentTooLongException>(422, "Document too long", "document_too_long"),
        // A dice expression past a limit (issue 23): the detail names the limit (dice per term, sides, terms, …).
        Of<StoryEngine.Core.Tabletop.Dice.DiceLimitException>(422, "Dice limit", "dice_limit"),
        // Publishing or playing a scenario whose validation finds errors (issue 24); the detail lists them.
        Of<Core.Scenarios.ScenarioHasErrorsException>(
            422,
            "Scenario has errors",
            Core.Scenarios.ScenarioHasErrorsException.ProblemCode
        ),
        Raised(428, "Precondition required", "precondition_required"),
        Raised(429, "Too many requests", "too_many_requests", "rate_limited"),
        Of<TooManyAttemptsException>(429, "Too many attempts", "login_throttled"),
        // Written with its own extensions (quota, used, limit, resetsAt) by the handler, not through this row's type.
        Raised(429, "Quota exceeded", "quota_exceeded"),
        Raised(500, "Internal error", "internal_error"),
        // Not problem documents: the code of a failed narration, in the turn and its turn.failed stream event.
        Raised(502, "Bad gateway", "backend_unavailable"),
        Raised(503, "Unavailable", "unavailable", "database_unavailable"),
        // A node shutting down refuses new turns (issue 16); the client retries, reaching another node or this one
        // back.
        Of<ServerDrainingException>(503, "Unavailable", ServerDrainingException.ProblemCode),
        Of<BackendsBusyException>(503, "Unavailable", BackendsBusyException.ProblemCode),
        Of<StorageUnavailableException>(503, "Unavailable", StorageUnavailableException.ProblemCode),
        Raised(504, "Gateway timeout", "backend_timeout"),
        // Any other expected failure is the request's fault (its code is its own; the quota's is listed above).
        Of<StoryEngineException>(400, "Bad request"),
    ];

    /// <summary>The row an exception gets its status and title from: its own type's, else its nearest base's.</summary>
    public static ProblemKind For(StoryEngineException e)
    {
        for (var type = e.GetType(); ; type = type.BaseType!)
        {
            if (Catalogue.FirstOrDefault(k => k.Exception == type) is { } kind)
            {
                return kind;
            }
        }
    }

    /// <summary>
    /// The stable <c>code</c> a problem carries when nothing more specific was set, by status. Each is in
    /// <see cref="Catalogue"/> under that status (ProblemCatalogueTests).
    /// </summary>
    public static string ForStatus(int status) =>
        status switch
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
    public static string TypeFor(int status) =>
        status switch
        {
            428 => "https://tools.ietf.org/html/rfc6585#section-3",
            429 => "https://tools.ietf.org/html/rfc6585#section-4",
            _ when Rfc9110Sections.TryGetValue(status, out var section) =>
                $"https://tools.ietf.org/html/rfc9110#section-{section}",
            _ => "about:blank", // RFC 9457 section 4.2.1: the status code says it all
        };

    private static readonly Dictionary<int, string> Rfc9110Sections = new()
    {
        [400] = "15.5.1",
        [401] = "15.5.2",
        [402] = "15.5.3",
        [403] = "15.5.4",
        [404] = "15.5.5",
        [405] = "15.5.6",
        [406] = "15.5.7",
        [407] = "15.5.8",
        [408] = "15.5.9",
        [409] = "15.5.10",
        [410] = "15.5.11",
        [411] = "15.5.12",
        [412] = "15.5.13",
        [413] = "15.5.14",
        [414] = "15.5.15",
        [415] = "15.5.16",
        [416] = "15.5.17",
        [417] = "15.5.18",
        [421] = "15.5.20",
        [422] = "15.5.21",
        [426] = "15.5.22",
        [500] = "15.6.1",
        [501] = "15.6.2",
        [502] = "15.6.3",
        [503] = "15.6.4",
        [504] = "15.6.5",
        [505] = "15.6.6",
    };

    /// <summary>A sentence saying what to do, for problems the framework raises without one.</summary>
    public static string? DefaultDetail(int status) =>
        status switch
        {
            401 => "Send an access token in the Authorization header (Bearer). Get one from POST /api/v1/auth/login.",
            404 => "Nothing is at this address. The API lives under /api/v1; /docs lists every route.",
            405 => "This address does not accept that method; /docs lists what it does accept.",
            413 => "The request body is larger than the 1 MB this server accepts.",
            415 => "Send the body as JSON with Content-Type: application/json.",
            _ => null,
        };

    private static ProblemKind Of<TException>(int status, string title, params string[] codes)
        where TException : StoryEngineException => new(typeof(TException), status, title, codes);

    private static ProblemKind Raised(int status, string title, params string[] codes) =>
        new(null, status, title, codes);
}
