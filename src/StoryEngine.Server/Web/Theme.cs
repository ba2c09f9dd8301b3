namespace StoryEngine.Server.Web;

/// <summary>
/// The reader's colour theme (issue 18): "light" or "dark" kept in a cookie for a year, or none to follow the system
/// setting (prefers-color-scheme). The layout writes it on &lt;html data-theme&gt; so the first paint has the right
/// colours; the header's Theme form sets it without JavaScript (Pages/Theme) and theme.js does the same at once.
/// </summary>
public static class Theme
{
    public const string CookieName = "storyengine.theme";
    public const string System = "system";
    public static readonly string[] Choices = [System, "light", "dark"];

    /// <summary>The stored choice, or <see cref="System"/> when there is none or it is not one we know.</summary>
    public static string Of(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var value) && value is "light" or "dark" ? value : System;

    /// <summary>Remembers a choice; anything but light or dark goes back to the system setting.</summary>
    public static void Remember(HttpResponse response, string? choice)
    {
        if (choice is "light" or "dark")
        {
            response.Cookies.Append(
                CookieName,
                choice,
                new CookieOptions
                {
                    MaxAge = TimeSpan.FromDays(365),
                    HttpOnly = true, // theme.js never reads it: the page says the theme on <html>
                    SameSite = SameSiteMode.Lax,
                    Secure = response.HttpContext.Request.IsHttps,
                    IsEssential = true,
                }
            );
        }
        else
        {
            response.Cookies.Delete(CookieName);
        }
    }
}
