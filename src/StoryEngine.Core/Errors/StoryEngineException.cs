namespace StoryEngine.Core.Errors;

/// <summary>
/// An expected failure that the caller can act on. <see cref="Code"/> is a stable machine-readable
/// identifier that clients may switch on; the message is written for a person.
/// </summary>
public abstract class StoryEngineException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The resource does not exist, or belongs to someone else (we never tell which).</summary>
public sealed class NotFoundException(string kind, string id, string? message = null)
    : StoryEngineException("not_found", message ?? $"No {kind} with id '{id}' exists.")
{
    public string Kind { get; } = kind;
}

/// <summary>
/// The request contradicts the current state (a duplicate name, a location still in use). Refusals that callers
/// tell apart by kind derive from it (<see cref="Stories.TurnInProgressException"/>, ...), so they stay 409s.
/// </summary>
public class ConflictException(string message, string code = "conflict") : StoryEngineException(code, message);

/// <summary>
/// An If-Match precondition no longer holds: someone else changed the resource first. <see cref="Name"/> is what a
/// person calls the thing as it is stored now ("Ada"), for the web app's message (issue 18); the API's message keeps
/// the id.
/// </summary>
public sealed class PreconditionFailedException(string kind, string id, string? name = null)
    : StoryEngineException(
        "precondition_failed",
        $"The {kind} '{id}' was changed since you read it. Fetch it again and reapply your change."
    )
{
    public string? Name { get; } = string.IsNullOrWhiteSpace(name) ? null : name;
}

/// <summary>Credentials were missing, wrong or expired.</summary>
public sealed class UnauthorizedException(string message, string code = "unauthorized")
    : StoryEngineException(code, message);

/// <summary>One or more fields are invalid; <see cref="Errors"/> maps each field to what is wrong with it.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : StoryEngineException("validation_failed", "One or more fields are invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
