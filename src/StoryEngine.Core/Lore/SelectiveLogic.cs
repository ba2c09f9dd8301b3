using System.Text.Json.Serialization;

namespace StoryEngine.Core.Lore;

/// <summary>
/// How an entry's secondary keys combine with its primary match. The numbers are SillyTavern's
/// <c>selectiveLogic</c> values (../shared/specs/character-cards.md §6), so imports and exports map one to one.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SelectiveLogic>))]
public enum SelectiveLogic
{
    /// <summary>A primary key and at least one secondary key.</summary>
    [JsonStringEnumMemberName("andAny")]
    AndAny = 0,

    /// <summary>A primary key, and not every secondary key.</summary>
    [JsonStringEnumMemberName("notAll")]
    NotAll = 1,

    /// <summary>A primary key and none of the secondary keys.</summary>
    [JsonStringEnumMemberName("notAny")]
    NotAny = 2,

    /// <summary>A primary key and every secondary key.</summary>
    [JsonStringEnumMemberName("andAll")]
    AndAll = 3,
}
