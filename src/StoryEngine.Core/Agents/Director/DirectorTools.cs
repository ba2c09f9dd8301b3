using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StoryEngine.Core.ApiKeys;

namespace StoryEngine.Core.Agents.Director;

/// <summary>The director's tools (issue 22), declared once for the narrator, MCP clients and the CLI.</summary>
public static class DirectorTools
{
    public static IReadOnlyList<AgentTool> All() =>
        [
            new(
                "get_goals",
                "Read the adventure's goals: each goal's status and its tasks (open, started or done, with the turns "
                    + "that show it), and the director's newest direction for the story.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"}
                      },
                      "required": ["adventureId"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Both,
                GetGoalsAsync
            ),
        ];

    private static async Task<JsonNode?> GetGoalsAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var adventureId = call.String(AgentTool.AdventureIdArgument, required: true)!;
        var board = await call
            .Services.GetRequiredService<GoalService>()
            .GetAsync(call.Caller.OwnerId, adventureId, cancellationToken);
        return ToolJson.From(
            new
            {
                adventureId,
                goals = board.Goals,
                direction = board.Direction,
                reviewedThroughTurn = board.ReviewedThroughTurn,
            }
        );
    }
}
