using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Tabletop;

namespace StoryEngine.Core.Agents;

/// <summary>
/// Dice for the narrator and for MCP clients (issue 23), declared once for the registry (ADR 48). The server rolls;
/// the model only asks. In a narration the roll is proposed to the turn and appended with its outcome (so a failed
/// narration leaves no roll, and a retry's new narration rolls its own while the first one's stay in the log); a
/// client's call is the player's roll, recorded at once.
/// </summary>
public static class TabletopTools
{
    public static IReadOnlyList<AgentTool> All() =>
        [
            new(
                "roll",
                "Roll dice on the server and get the result (e.g. 1d20+3, 2d6, 4d6dl1, 1d20adv). Use it whenever "
                    + "chance "
                    + "decides something; never invent numbers.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"},
                        "expression": {"type": "string", "description": "Dice notation, e.g. 2d6+1"},
                        "reason": {"type": "string", "description": "What the roll decides"},
                        "character": {"type": "string", "description": "Who rolls, when someone does"}
                      },
                      "required": ["adventureId", "expression"]
                    }
                    """
                ),
                ApiKeyScopes.Play,
                ToolAudience.Narrator,
                RollAsync
            ),
            // The same roll under the name issue 22 gives MCP clients and the CLI.
            new(
                "roll_dice",
                "Roll dice in an adventure on the server and record the roll in its story (e.g. 1d20+3, 2d6, 4d6dl1, "
                    + "1d20adv); returns each die, what was kept and the total.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"},
                        "expression": {"type": "string", "description": "Dice notation, e.g. 2d6+1"},
                        "reason": {"type": "string", "description": "What the roll decides"},
                        "character": {"type": "string", "description": "Who rolls, when someone does"}
                      },
                      "required": ["adventureId", "expression"]
                    }
                    """
                ),
                ApiKeyScopes.Play,
                ToolAudience.Clients,
                RollAsync
            ),
            new(
                "request_check",
                "Ask for an ability check, skill check or saving throw against a DC; the server rolls the d20 with the "
                    + "character's bonus from their sheet and tells you the total and whether it succeeded. Narrate "
                    + "the result you get.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"},
                        "skill": {"type": "string", "description": "A skill (stealth), ability (dex), save (wis save)"},
                        "ability": {"type": "string", "description": "An ability, when the check is not a skill"},
                        "dc": {"type": "integer", "minimum": 0, "maximum": 100},
                        "reason": {"type": "string"},
                        "character": {"type": "string", "description": "Whose check; the only sheet when left out"},
                        "advantage": {"type": "string", "enum": ["none", "advantage", "disadvantage"]}
                      },
                      "required": ["adventureId", "dc"]
                    }
                    """
                ),
                ApiKeyScopes.Play,
                ToolAudience.Both,
                RequestCheckAsync
            ),
        ];

    private static Task<JsonNode?> RollAsync(ToolCall call, CancellationToken cancellationToken) =>
        RecordAsync(
            call,
            new RollRequest(
                call.String("expression", required: true, maxLength: 1_000),
                call.String("reason", maxLength: TabletopService.MaxReasonLength + 1),
                call.String("character", maxLength: 200)
            ),
            cancellationToken
        );

    private static Task<JsonNode?> RequestCheckAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var skill =
            call.String("skill", maxLength: 100) is { Length: > 0 } s ? s
            : call.String("ability", maxLength: 100) is { Length: > 0 } a ? a
            : throw Errors.ValidationFailedException.For("skill", "skill or ability is required.");
        return RecordAsync(
            call,
            new RollRequest(
                null,
                call.String("reason", maxLength: TabletopService.MaxReasonLength + 1),
                call.String("character", maxLength: 200),
                skill,
                call.Int("dc", 0, 100) ?? throw Errors.ValidationFailedException.For("dc", "dc is required."),
                call.String("advantage", maxLength: 20)
            ),
            cancellationToken
        );
    }

    private static async Task<JsonNode?> RecordAsync(
        ToolCall call,
        RollRequest request,
        CancellationToken cancellationToken
    )
    {
        var tabletop = call.Services.GetRequiredService<TabletopService>();
        var adventureId = call.String(AgentTool.AdventureIdArgument, required: true)!;
        Stories.DiceRolled roll;
        if (call.Turn is { } turn)
        {
            var view = await tabletop.GetAsync(call.Caller.OwnerId, adventureId, cancellationToken);
            if (view.State.IsEmpty)
            {
                // A plain story stays plain (issue 23): the narrator does not start a rules game on its own.
                throw new RulesOffException();
            }
            roll = tabletop.Roll(view, request, turn.TurnId, "narrator", turn.Alternative);
            turn.Propose(roll);
        }
        else
        {
            roll = await tabletop.RollAsync(call.Caller.OwnerId, adventureId, request, cancellationToken);
        }
        return ToolJson.From(
            new
            {
                rollId = roll.RollId,
                roll.Character,
                check = roll.Check?.Skill,
                roll.Check?.Dc,
                roll.Check?.Success,
                roll.Expression,
                roll.Total,
                detail = roll.Text,
                said = TabletopPrompt.Describe(roll),
            }
        );
    }
}

/// <summary>The narrator asked for dice in an adventure not played with rules: a tool error, so it narrates
/// instead.</summary>
public sealed class RulesOffException()
    : Errors.StoryEngineException(
        "rules_off",
        "This adventure is not played with rules: narrate the outcome without dice."
    );
