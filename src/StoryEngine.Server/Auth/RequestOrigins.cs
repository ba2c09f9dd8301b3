using StoryEngine.Core.Audit;

namespace StoryEngine.Server.Auth;

public static class RequestOrigins
{
    /// <summary>
    /// The client's address and user agent for sessions, throttling and the audit log. The address is the TCP peer:
    /// behind a reverse proxy that is the proxy (docs/security.md says what that means for an operator).
    /// </summary>
    public static RequestOrigin Origin(this HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }
        return RequestOrigin.From(address?.ToString(), context.Request.Headers.UserAgent.ToString());
    }
}
