using Microsoft.Extensions.AI;

namespace StoryEngine.Providers;

/// <summary>
/// The one rule every adapter shares: a story is plain text in system, user and assistant messages, plus the tool
/// messages of the narrator's tool loop (issue 22: Microsoft.Extensions.AI's adapters write them in each wire format).
/// Images and other roles are not part of the narrator's protocol, so a message in another role is refused loudly
/// instead of being dropped or sent in a shape the server might misread.
/// </summary>
internal static class ChatTranscript
{
    public static IReadOnlyList<ChatMessage> Checked(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        foreach (var message in list)
        {
            if (
                message.Role != ChatRole.System
                && message.Role != ChatRole.User
                && message.Role != ChatRole.Assistant
                && message.Role != ChatRole.Tool
            )
            {
                throw new ArgumentException(
                    "Only system, user, assistant and tool messages can be sent to a model "
                        + $"backend (got role '{message.Role}').",
                    nameof(messages)
                );
            }
        }
        return list;
    }

    /// <summary>The role as the OpenAI and Ollama wire formats spell it.</summary>
    public static string WireRole(ChatRole role) =>
        role == ChatRole.System ? "system"
        : role == ChatRole.Assistant ? "assistant"
        : "user";

    /// <summary>True for an update that carries model output (answer or reasoning text), as opposed to
    /// bookkeeping such as a role-only first chunk or a usage-only last chunk.</summary>
    public static bool HasToken(ChatResponseUpdate update)
    {
        foreach (var content in update.Contents)
        {
            if (
                (content is TextContent text && !string.IsNullOrEmpty(text.Text))
                || (content is TextReasoningContent reasoning && !string.IsNullOrEmpty(reasoning.Text))
                || content is FunctionCallContent // a tool call is the model's answer too (issue 22)
            )
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Shortens a server's error text for a message meant for people.</summary>
    public static string Truncate(string? text, int max = 300)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, max), "…");
    }
}
