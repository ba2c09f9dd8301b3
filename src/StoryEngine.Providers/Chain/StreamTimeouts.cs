namespace StoryEngine.Providers.Chain;

/// <summary>The clocks one streamed call runs under.</summary>
/// <param name="FirstToken">From sending the request to the first token.</param>
/// <param name="Idle">Longest silence between two updates once tokens flow.</param>
/// <param name="Total">Optional cap on the whole call (Backends:{name}:TimeoutSeconds).</param>
internal sealed record StreamTimeouts(TimeSpan FirstToken, TimeSpan Idle, TimeSpan? Total);
