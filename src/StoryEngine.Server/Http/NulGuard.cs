namespace StoryEngine.Server.Http;

/// <summary>
/// Refuses a query value holding U+0000 (<c>?q=%00</c>) before anything reads it: PostgreSQL text cannot hold the
/// character, so a search or filter with it failed as a 503 "database unavailable" (issue 15, fault 4). A NUL in the
/// path never gets here: Kestrel rejects it while parsing the request line.
/// </summary>
public static class NulGuard
{
    public static IApplicationBuilder UseNulGuard(this IApplicationBuilder app) =>
        app.Use(
            (context, next) =>
            {
                foreach (var (name, values) in context.Request.Query)
                {
                    if (
                        name.Contains('\0', StringComparison.Ordinal)
                        || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal))
                    )
                    {
                        // The exception handler before us turns this into a 400 bad_request problem naming the
                        // parameter.
                        throw new BadHttpRequestException(
                            $"The query parameter '{name.Replace("\0", "%00", StringComparison.Ordinal)}' "
                                + "contains a NUL character (%00), which no value of this API may hold.",
                            StatusCodes.Status400BadRequest
                        );
                    }
                }
                return next(context);
            }
        );
}
