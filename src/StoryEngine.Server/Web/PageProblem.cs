using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Web;

/// <summary>
/// What a page shows when something fails: the problem in a sentence (the same message the API's problem carries),
/// what the person can do about it, and each field's complaint. Never a blank page or a stack trace.
/// </summary>
public sealed record PageProblem(int Status, string Message, string Advice, IReadOnlyList<string> FieldErrors)
{
    /// <summary>The thing was changed elsewhere since the form was loaded: the form offers "Keep mine" and "See
    /// theirs".</summary>
    public bool Conflict { get; init; }

    /// <summary>Each field's complaints by the service's field name ("name", "tags[0]", "generation.topP"), for the
    /// messages next to the fields (<see cref="FormEcho"/>).</summary>
    public IReadOnlyDictionary<string, string[]> Fields { get; init; } = new Dictionary<string, string[]>();

    public static PageProblem From(StoryEngineException e) =>
        new(
            ProblemExceptionHandler.StatusFor(e),
            e switch
            {
                ValidationFailedException => "Some of what you entered cannot be used.",
                // The service's words are for API clients ("send … as 'code'"); a person at the form gets these.
                UnauthorizedException { Code: "two_factor_required" } => "This account signs in with two factors.",
                // Named as the person knows it, never by id (issue 18).
                PreconditionFailedException p => $"{p.Name ?? "This"} was changed by someone else since you opened it.",
                _ => e.Message,
            },
            AdviceFor(e),
            e is ValidationFailedException v ? v.Errors.SelectMany(f => f.Value).ToArray() : []
        )
        {
            Conflict = e is PreconditionFailedException,
            Fields = e is ValidationFailedException f ? f.Errors : new Dictionary<string, string[]>(),
        };

    /// <summary>For failures that are not the person's doing (a narration that failed, a database that is
    /// away).</summary>
    public static PageProblem Of(int status, string message, string advice) => new(status, message, advice, []);

    private static string AdviceFor(StoryEngineException e) =>
        e switch
        {
            ValidationFailedException => "Correct the fields listed here and send the form again.",
            NotFoundException =>
                "It may have been moved to the trash or never existed. Go back and pick it from the list.",
            PreconditionFailedException =>
                "What you typed is still in the form. Keep mine saves it over the other change; See theirs shows the "
                    + "newest version instead and lets what you typed go.",
            TurnInProgressException => "Wait for the narration to finish, or stop it, then try again.",
            ConflictException => "Reload the page to see how things stand now, then try again.",
            UnauthorizedException { Code: "two_factor_required" } =>
                "Type the 6 digits your authenticator app shows now, or one of your recovery codes, in the two-factor "
                    + "box and sign in again.",
            UnauthorizedException => "Check the username and password, then sign in again.",
            ForbiddenException => "Ask the server's administrator if you think you should be allowed.",
            TooManyAttemptsException => "Wait a little, then try again.",
            QuotaExceededException =>
                "Wait until then, or ask the server's administrator for a larger quota. Account › "
                    + "Usage shows what you have used.",
            ActionTooLongException => "Shorten your action and send it again.",
            PayloadTooLargeException
            or UnsupportedFormatException
            or InvalidFileException
            or UnsafeArchiveEntryException => "Choose another file: a character card as PNG, JSON or CHARX.",
            _ => "Check what you entered and try again.",
        };
}
