using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Usage;

namespace StoryEngine.Server.Http;

/// <summary>
/// Turns the exceptions we expect into RFC 9457 problems with a stable <c>code</c>. Anything else becomes a
/// plain 500 without details: the stack trace goes to the log, never to the client.
/// </summary>
public sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems,
    ILogger<ProblemExceptionHandler> logger
) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(
        HttpContext httpContext,
        Exception exception,
        CancellationToken cancellationToken
    )
    {
        if (Web.WebAppServiceCollectionExtensions.IsPageRequest(httpContext))
        {
            return false; // a web page fails with an HTML page (Pages/Error), not a problem document
        }
        var problem = exception switch
        {
            ValidationFailedException e => Validation(e.Errors, e.Message),
            QuotaExceededException e => Quota(e),
            InvalidFileException { Line: { } line } e => WithLine(
                Problem(StatusFor(e), TitleFor(e), e.Message, e.Code),
                line
            ),
            UnsafeArchiveEntryException e => WithEntry(Problem(StatusFor(e), TitleFor(e), e.Message, e.Code), e.Entry),
            StoryEngineException e => Problem(StatusFor(e), TitleFor(e), e.Message, e.Code),
            BadHttpRequestException { InnerException: JsonException json } => FromJson(json),
            JsonException json => FromJson(json),
            BadHttpRequestException e => Problem(
                e.StatusCode,
                "Bad request",
                Describe(e),
                ProblemCodes.ForStatus(e.StatusCode)
            ),
            // The request was fine; the database was not. Say so, and let the client retry, rather than a bare 500.
            DbException => Unavailable(exception),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
        if (problem is null)
        {
            if (!httpContext.RequestAborted.IsCancellationRequested)
            {
                LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            }
            problem = Problem(
                500,
                "Internal error",
                "The server failed to handle this request. It has been logged; " + "try again.",
                "internal_error"
            );
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else if (exception is TooManyAttemptsException throttled)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds))
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (exception is QuotaExceededException quota)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(quota.RetryAfter.TotalSeconds))
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(
            new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = problem,
                Exception = exception,
            }
        );
    }

    private static ProblemDetails FromJson(JsonException json)
    {
        var field = FieldOf(json.Path);
        // A string the reader could not decode (an unpaired surrogate, invalid UTF-8) is bad JSON, not a wrong type;
        // the reader says which in its message only ("Cannot read invalid UTF-16 JSON text ...").
        if (
            json.InnerException is InvalidOperationException inner
            && inner.Message.Contains("UTF-", StringComparison.Ordinal)
        )
        {
            json = new MalformedJsonException(
                MalformedJsonException.NotUnicode,
                json.Path,
                json.LineNumber,
                json.BytePositionInLine
            );
        }
        // The reader fails on syntax; the converter fails on a value of the wrong type at a known path.
        if (
            json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
            && field is not null
        )
        {
            return Validation(
                new Dictionary<string, string[]>
                {
                    [field] = [$"{field} has the wrong JSON type for " + "this field."],
                },
                "One or more fields have the wrong type."
            );
        }
        if (json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return Validation(
                new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON object."] },
                "The body has the wrong shape."
            );
        }
        var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
        var problem = Problem(400, "Malformed JSON", $"The request body is not valid JSON{where}.", "malformed_json");
        if (json is MalformedJsonException malformed)
        {
            problem.Detail = $"The request body is not valid JSON{where}: {malformed.Reason}.";
        }
        if (field is not null)
        {
            problem.Extensions["path"] = json.Path;
        }
        return problem;
    }

    private ProblemDetails Unavailable(Exception exception)
    {
        LogDatabaseFailure(logger, exception);
        return Problem(
            503,
            "Database unavailable",
            "The database could not complete this request; nothing was " + "changed. Try again shortly.",
            "database_unavailable"
        );
    }

    // Which quota, how much of it is used, and when it starts over: enough for a client to say so and to wait.
    private static ProblemDetails Quota(QuotaExceededException e) =>
        new()
        {
            Status = 429,
            Title = "Quota exceeded",
            Detail = e.Message,
            Extensions =
            {
                ["code"] = e.Code,
                ["quota"] = e.Quota,
                ["used"] = e.Used,
                ["limit"] = e.Limit,
                ["resetsAt"] = e.ResetsAt,
            },
        };

    // Which line of an imported file is at fault, for a client that points at it (a chat's JSONL line).
    private static ProblemDetails WithLine(ProblemDetails problem, int line)
    {
        problem.Extensions["line"] = line;
        return problem;
    }

    private static ProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors, string detail) =>
        new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = 400,
            Title = "Validation failed",
            Detail = detail,
            Extensions = { ["code"] = "validation_failed" },
        };

    private static ProblemDetails WithEntry(ProblemDetails problem, string entry)
    {
        problem.Extensions["entry"] = entry;
        return problem;
    }

    private static ProblemDetails Problem(int status, string title, string detail, string code) =>
        new()
        {
            Status = status,
            Title = title,
            Detail = detail,
            Extensions = { ["code"] = code },
        };

    internal static int StatusFor(StoryEngineException e) => ProblemCodes.For(e).Status;

    private static string TitleFor(StoryEngineException e) => ProblemCodes.For(e).Title;

    // Binding messages name the parameter and the value ("Failed to bind parameter \"int? limit\" from \"abc\"."),
    // which is what the caller needs and nothing the server should hide.
    private static string Describe(BadHttpRequestException e) =>
        ProblemCodes.DefaultDetail(e.StatusCode)
        ?? (
            e.Message.Contains("no body was provided", StringComparison.Ordinal)
                ? "This request needs a JSON body."
                : e.Message
        );

    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    [LoggerMessage(
        EventId = LogEvents.Http.DatabaseFailure,
        Level = LogLevel.Error,
        Message = "Database failure " + "while handling a request"
    )]
    private static partial void LogDatabaseFailure(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = LogEvents.Http.Unhandled,
        Level = LogLevel.Error,
        Message = "Unhandled exception for " + "{Method} {Path}"
    )]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
