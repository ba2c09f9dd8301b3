namespace StoryEngine.Server.Web;

/// <summary>
/// Answers that show a secret once (a new API key, a TOTP secret, recovery codes) must not be kept by the browser's
/// cache or a proxy, where the back button or the next person at the computer would find them again.
/// </summary>
public static class NoStore
{
    public static void Apply(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
