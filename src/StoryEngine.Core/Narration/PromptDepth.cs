using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

/// <summary>Where a note "at depth N" goes: SillyTavern's in-chat depth, counted in messages from the end.</summary>
public static class PromptDepth
{
    /// <summary>
    /// Inserts <paramref name="message"/> so that <paramref name="depth"/> messages follow it (0: after the last
    /// one), never before the leading system message. A depth past the start puts it first after the system message.
    /// </summary>
    public static void Insert(List<ChatMessage> chat, ChatMessage message, int depth)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var first = chat.Count > 0 && chat[0].Role == ChatRole.System ? 1 : 0;
        chat.Insert(Math.Clamp(chat.Count - Math.Max(0, depth), first, chat.Count), message);
    }
}
