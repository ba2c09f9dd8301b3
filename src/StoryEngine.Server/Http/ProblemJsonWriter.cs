using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Http;

/// <summary>
/// Writes a problem as JSON even when the request's Accept header does not list JSON — a client that asked for
/// <c>text/event-stream</c> and is refused (401, 409, 429) must get the problem, not a 500 because the framework's
/// writer declined. Registered after the framework's writer, so it only answers what that one will not.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problems, IOptions<JsonOptions> json)
    : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(
            http.Response.WriteAsJsonAsync(
                problem,
                json.Value.SerializerOptions,
                "application/problem+json",
                http.RequestAborted
            )
        );
    }
}
