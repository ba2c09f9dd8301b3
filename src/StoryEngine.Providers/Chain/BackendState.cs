using System.Text.Json.Serialization;

namespace StoryEngine.Providers.Chain;

/// <summary>What the chain last saw of a backend. Serialized in snake_case for /health and `storyengine
/// status`.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackendState>))]
public enum BackendState
{
    /// <summary>Not called or probed yet.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,

    /// <summary>Its last call or probe succeeded.</summary>
    [JsonStringEnumMemberName("up")]
    Up,

    /// <summary>Its last call or probe failed.</summary>
    [JsonStringEnumMemberName("down")]
    Down,

    /// <summary>It failed repeatedly; calls skip it until the break is over.</summary>
    [JsonStringEnumMemberName("circuit_open")]
    CircuitOpen,
}
