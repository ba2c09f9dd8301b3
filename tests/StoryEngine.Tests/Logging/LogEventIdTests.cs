using System.Reflection;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Tests.Logging;

/// <summary>Issue 14: log event ids collided; every log method now names an id of its own from the catalogue.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void every_log_method_has_a_nonzero_event_id_no_other_log_method_uses()
    {
        var methods = StoryEngineAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t =>
                t.GetMethods(
                    BindingFlags.Public
                        | BindingFlags.NonPublic
                        | BindingFlags.Static
                        | BindingFlags.Instance
                        | BindingFlags.DeclaredOnly
                )
            )
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (Name: $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", m.Attribute!.EventId))
            .ToArray();

        // Each of these logs something; finding none would mean the reflection looked in the wrong place.
        Assert.Contains(methods, m => m.Name.StartsWith("StoryEngine.Core.", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.Name.StartsWith("StoryEngine.Server.", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.Name.StartsWith("StoryEngine.Providers.", StringComparison.Ordinal));
        var unnumbered = methods.Where(m => m.EventId == 0).Select(m => m.Name).ToArray();
        Assert.True(unnumbered.Length == 0, "Log methods without an event id: " + string.Join(", ", unnumbered));
        var shared = methods
            .GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .ToArray();
        Assert.True(shared.Length == 0, "Event ids used by more than one log method: " + string.Join("; ", shared));
    }

    /// <summary>
    /// Every StoryEngine assembly loaded in this process (the server's is <c>storyengine</c>), after touching one type
    /// of each so that none is missed for not having been loaded yet.
    /// </summary>
    private static Assembly[] StoryEngineAssemblies()
    {
        Type[] anchors =
        [
            typeof(StoryEngine.Core.LogEvents),
            typeof(StoryEngine.Storage.IStorageProvider),
            typeof(StoryEngine.Providers.Anthropic.AnthropicChatClient),
            typeof(StoryEngine.Formats.Cards.CardReader),
            typeof(Program),
        ];
        Assert.All(anchors, a => Assert.NotNull(a.Assembly));
        return
        [
            .. AppDomain
                .CurrentDomain.GetAssemblies()
                .Where(a =>
                    a.GetName().Name is { } name
                    && name.StartsWith("StoryEngine", StringComparison.OrdinalIgnoreCase)
                    && !name.EndsWith(".Tests", StringComparison.Ordinal)
                ),
        ];
    }
}
