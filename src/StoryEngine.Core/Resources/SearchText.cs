namespace StoryEngine.Core.Resources;

/// <summary>Builds the lower-cased text a list's <c>q</c> parameter is matched against, the same way in every
/// engine.</summary>
public static class SearchText
{
    public static string Of(params string?[] parts) =>
        string.Join('\n', parts.Where(p => !string.IsNullOrEmpty(p))).ToLowerInvariant();
}
