using System.Text;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Director;

/// <summary>What the director's work puts in front of models: the narrator's direction, and the review's and the
/// proposal's questions to the utility model.</summary>
public static class DirectorPrompt
{
    /// <summary>The most characters of the direction block the narrator is sent.</summary>
    public const int MaxNarratorText = 1_500;

    /// <summary>
    /// The active goals with their open tasks and the director's newest direction, for the narrator's volatile block;
    /// empty when there is nothing to steer by.
    /// </summary>
    public static string ForNarrator(GoalBoard? board, int turnNumber)
    {
        if (board is null || (!board.HasActiveGoals && board.Direction is null))
        {
            return "";
        }
        var text = new StringBuilder("[Goals of the story: steer toward them, never mention them]");
        foreach (var goal in board.Goals.Where(g => g.IsActive))
        {
            text.Append("\nGoal: ").Append(PromptText.Clean(goal.Title));
            if (goal.ByTurn is { } by)
            {
                text.Append(by >= turnNumber ? $" (by turn {by}; this is turn {turnNumber})" : $" (due by turn {by})");
            }
            var open = goal.Tasks.Where(t => t.Status != GoalTaskStatus.Done).Select(t => PromptText.Clean(t.Title));
            if (open.Any())
            {
                text.Append(". Still to happen: ").Append(string.Join("; ", open));
            }
        }
        if (board.Direction is { Length: > 0 } direction)
        {
            text.Append("\nDirector's note: ").Append(PromptText.Clean(direction));
        }
        return text.Length <= MaxNarratorText ? text.ToString() : text.ToString(0, MaxNarratorText);
    }

    public const string ReviewInstructions =
        "You are the director of an interactive story. Given its goals and the newest turns, report progress: tasks "
        + "that started or were done in these turns (with the turn numbers that show it), goals that clearly "
        + "succeeded or failed, and a short direction (one to three sentences) for the narrator's next turns that "
        + "moves the story toward the open tasks without forcing the player's hand. Use only the goal and task ids "
        + "given. Answer with JSON only, following the schema.";

    public const string ProposeInstructions =
        "You are the director of an interactive story. From the world and the story so far, propose up to three goals "
        + "that would give the story shape (e.g. 'the heist succeeds or fails'), each with two to five concrete tasks "
        + "or beats, and optionally the turn it should be settled by. Answer with JSON only, following the schema.";

    public const string ReviewSchema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["tasks", "goals", "direction"],
          "properties": {
            "tasks": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["goalId", "taskId", "status", "evidenceTurns"],
              "properties": {"goalId": {"type": "string"}, "taskId": {"type": "string"},
                "status": {"type": "string", "enum": ["started", "done"]},
                "evidenceTurns": {"type": "array", "items": {"type": "integer"}}}}},
            "goals": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["goalId", "outcome", "evidenceTurns"],
              "properties": {"goalId": {"type": "string"},
                "outcome": {"type": "string", "enum": ["succeeded", "failed"]},
                "evidenceTurns": {"type": "array", "items": {"type": "integer"}}}}},
            "direction": {"type": "string", "maxLength": 600}
          }
        }
        """;

    public const string ProposeSchema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["goals"],
          "properties": {
            "goals": {"type": "array", "maxItems": 3, "items": {"type": "object", "additionalProperties": false,
              "required": ["title", "description", "tasks"],
              "properties": {"title": {"type": "string", "maxLength": 200},
                "description": {"type": "string", "maxLength": 2000},
                "byTurn": {"type": ["integer", "null"]},
                "tasks": {"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 200}}}}}
          }
        }
        """;

    /// <summary>The review's question: the goals with their ids, and the turns to review with their numbers.</summary>
    public static string Review(GoalBoard board, IReadOnlyList<TurnRecord> turns)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(turns);
        var text = new StringBuilder("Goals:\n");
        foreach (var goal in board.Goals.Where(g => g.IsActive))
        {
            text.Append($"- goal {goal.Id}: {PromptText.Clean(goal.Title)}");
            text.Append(goal.ByTurn is { } by ? $" (by turn {by})\n" : "\n");
            foreach (var task in goal.Tasks)
            {
                text.Append($"  - task {task.Id} [{task.Status}]: {PromptText.Clean(task.Title)}\n");
            }
        }
        text.Append("\nNewest turns:\n");
        foreach (var turn in turns)
        {
            text.Append($"\n[Turn {turn.Number}]\n");
            if (turn.PlayerText.Length > 0)
            {
                text.Append(new PlayerAction(turn.Kind, turn.PlayerText).ToPrompt()).Append('\n');
            }
            text.Append(PromptText.Clean(turn.ChosenNarration.Text)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The proposal's question: the world and the newest turns.</summary>
    public static string Propose(Worlds.World world, IReadOnlyList<TurnRecord> turns)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(turns);
        var text = new StringBuilder($"World: {PromptText.Clean(world.Name)}\n");
        if (world.Description.Length > 0)
        {
            text.Append(PromptText.Clean(world.Description)).Append('\n');
        }
        text.Append("\nThe story so far (newest turns):\n");
        foreach (var turn in turns)
        {
            text.Append($"\n[Turn {turn.Number}] ");
            if (turn.PlayerText.Length > 0)
            {
                text.Append(new PlayerAction(turn.Kind, turn.PlayerText).ToPrompt()).Append('\n');
            }
            text.Append(PromptText.Clean(turn.ChosenNarration.Text)).Append('\n');
        }
        return text.ToString();
    }
}
