using System.Text;
using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

// Issue 24: the scene a scenario's adventure is in, for this prompt only (like the author's note), just before the
// player's action, so the cached prefix is the same as without a scenario.
public sealed partial class ContextBuilder
{
    // Null when the adventure plays no scenario: the inspector then shows no scene slot at all.
    private ContextSection? InsertScene(List<ChatMessage> chat, NarrationInput input, NarratorSettings settings)
    {
        if (input.Scene is not { } scene)
        {
            return null;
        }
        var text = new StringBuilder().Append("# Scene: ").AppendLine(scene.Node.Title);
        if (scene.Node.Text.Length > 0)
        {
            text.AppendLine(Clean(scene.Node.Text));
        }
        if (scene.Node.Directions.Length > 0)
        {
            text.Append("Narrate within these directions: ").AppendLine(Clean(scene.Node.Directions));
        }
        if (scene.Ended)
        {
            text.AppendLine("This scene is an ending: bring the story to its close.");
        }
        else if (scene.Choices.Count > 0)
        {
            text.AppendLine("Leave the player free to take one of these paths next (do not take them yourself):");
            foreach (var choice in scene.Choices)
            {
                text.Append("- ").AppendLine(Clean(choice.Label.Length > 0 ? choice.Label : choice.Id));
            }
        }
        var prompt = text.ToString().TrimEnd();
        chat.Insert(Math.Max(1, chat.Count - 1), new ChatMessage(ChatRole.System, prompt));
        var note = $"scenario {scene.ScenarioId} v{scene.Version}, scene '{scene.Node.Id}'";
        // How this turn got here; a move of an earlier turn (already in the transcript) is not this one's.
        if (scene.LastChoice is { } last && input.Transcript.All(t => t.TurnId != last.TurnId))
        {
            note += last switch
            {
                { EdgeId: null } => $"; free text matched no choice, stayed ({last.Reason})",
                { Via: "text" } => $"; free text matched choice '{last.EdgeId}' ({last.Reason})",
                _ => $"; entered by choice '{last.EdgeId}'",
            };
        }
        return new ContextSection("scene", "system", Estimate(prompt, settings), prompt, note);
    }
}
