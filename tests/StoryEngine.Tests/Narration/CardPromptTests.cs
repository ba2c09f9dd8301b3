using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Tests.Narration;

/// <summary>
/// Issue 17: a card's prompt fields reach the model in SillyTavern's order (system prompt, description, personality,
/// scenario, persona, example dialogue), its note at its depth and its post-history instructions before the action;
/// the example dialogue is the first thing cut under a small budget.
/// </summary>
public sealed class CardPromptTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 7, 0, TimeSpan.Zero);

    private static Character Megumin(string examples = "<START>\n{{user}}: Hi.\n{{char}}: EXPLOSION!") =>
        new()
        {
            Name = "Megumin",
            Description = "DESC {{char}} is an arch wizard.",
            Personality = "PERS loud",
            Scenario = "SCEN {{char}} trains outside town with {{user}}.",
            ExampleMessages = examples,
            SystemPrompt = "SYS card prompt. {{original}}",
            PostHistoryInstructions = "POST stay in character as {{char}}.",
            Extensions = new JsonObject
            {
                ["depth_prompt"] = new JsonObject
                {
                    ["prompt"] = "NOTE {{char}} loves explosions.",
                    ["depth"] = 2,
                    ["role"] = "system",
                },
            },
        };

    private static NarrationContext Build(
        IReadOnlyList<Character> cast,
        int contextTokens = 8192,
        PromptOptions? options = null,
        int turns = 0
    ) =>
        new ContextBuilder(new TokenEstimator(), new LoreIndexCache(), null, options).Build(
            new NarrationInput(
                new World { Name = "Konosuba", Description = "A fantasy world." },
                new Persona { Name = "Kazuma", Description = "PERSONA an adventurer." },
                cast,
                null,
                [.. Enumerable.Range(1, turns).Select(Turn)],
                new PlayerAction("do", "I wave."),
                Macros: MacroContext.For(cast.FirstOrDefault()?.Name, "Kazuma", Now, "a:t")
            ),
            new NarratorSettings(contextTokens, 1024, "test")
        );

    private static TurnRecord Turn(int number) =>
        new(
            "a",
            $"t{number}",
            number,
            "do",
            $"move {number}",
            0,
            [new NarrationRecord($"narration {number}", NarrationRecord.Completed)],
            false,
            Now,
            Now
        );

    [Fact]
    public void card_fields_come_in_sillytaverns_order_with_macros_replaced()
    {
        var context = Build([Megumin()]);
        var system = context.Messages[0].Text;
        var order = new[] { "SYS card prompt.", "DESC", "PERS", "SCEN", "PERSONA", "EXPLOSION!" }
            .Select(part => system.IndexOf(part, StringComparison.Ordinal))
            .ToArray();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        // {{original}} is our own instructions; {{char}} and {{user}} the names.
        Assert.Contains("SYS card prompt. " + ContextBuilder.Instructions, system, StringComparison.Ordinal);
        Assert.Contains("SCEN Megumin trains outside town with Kazuma.", system, StringComparison.Ordinal);
        Assert.Contains("Kazuma: Hi.\nMegumin: EXPLOSION!", system, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", string.Join("\n", context.Messages.Select(m => m.Text)), StringComparison.Ordinal);

        // The inspector shows the same text, substituted.
        var sections = context.Report.Sections.ToDictionary(s => s.Name);
        Assert.StartsWith("SYS card prompt.", sections["instructions"].Text, StringComparison.Ordinal);
        Assert.Contains("Kazuma: Hi.", sections["example dialogue"].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void the_post_history_instructions_come_right_before_the_action_and_the_note_at_its_depth()
    {
        var messages = Build([Megumin()], turns: 3).Messages;
        Assert.Equal("[Action] I wave.", messages[^1].Text);
        Assert.Equal("POST stay in character as Megumin.", messages[^2].Text);
        Assert.Equal(ChatRole.System, messages[^2].Role);
        // Depth 2 counts the conversation's messages from the end, the action included.
        var note = messages.ToList().FindIndex(m => m.Text.StartsWith("NOTE", StringComparison.Ordinal));
        Assert.Equal("NOTE Megumin loves explosions.", messages[note].Text);
        Assert.Equal(2, messages.Skip(note + 1).Count(m => !m.Text.StartsWith("POST", StringComparison.Ordinal)));
        Assert.Equal("narration 3", messages[note + 1].Text);
    }

    [Fact]
    public void the_server_can_keep_its_own_instructions()
    {
        var context = Build([Megumin()], options: new PromptOptions { CardSystemPrompts = false });
        Assert.StartsWith(ContextBuilder.Instructions, context.Messages[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SYS card prompt", context.Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("ignored", context.Report.Sections[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void with_several_characters_each_ones_fields_are_labelled_with_its_name()
    {
        var aqua = new Character
        {
            Name = "Aqua",
            Scenario = "SCEN2 {{char}} wants beer.",
            ExampleMessages = "<START>\n{{char}}: Praise Axis!",
            PostHistoryInstructions = "POST2 {{char}} cries a lot.",
        };
        var context = Build([Megumin(), aqua]);
        var characters = context.Report.Sections.Single(s => s.Name == "characters").Text;
        Assert.Contains("## Megumin\nDESC Megumin is an arch wizard.", characters, StringComparison.Ordinal);
        Assert.Contains("## Aqua\nScenario: SCEN2 Aqua wants beer.", characters, StringComparison.Ordinal);
        var examples = context.Report.Sections.Single(s => s.Name == "example dialogue").Text;
        Assert.Contains("## Aqua\n***\nAqua: Praise Axis!", examples, StringComparison.Ordinal);
        Assert.Equal(
            "[Megumin] POST stay in character as Megumin.\n\n[Aqua] POST2 Aqua cries a lot.",
            context.Messages[^2].Text
        );
    }

    [Fact]
    public void example_dialogue_is_cut_first_under_a_small_budget_and_reported()
    {
        var blocks = string.Concat(
            Enumerable.Range(1, 12).Select(i => $"<START>\n{{{{char}}}}: EXAMPLE-{i} " + new string('x', 400) + "\n")
        );
        var context = Build([Megumin(blocks)], contextTokens: 2048);
        var system = context.Messages[0].Text;
        Assert.Contains("EXAMPLE-1 ", system, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLE-12 ", system, StringComparison.Ordinal);
        // Everything else of the card is still there, and the cut is reported with the blocks it took.
        Assert.Contains("SCEN", system, StringComparison.Ordinal);
        var cut = Assert.Single(context.Report.LeftOut, o =>
            o.What.StartsWith("example dialogue", StringComparison.Ordinal)
        );
        Assert.Matches(@"^example dialogue of Megumin: blocks \d+–12 of 12$", cut.What);
        Assert.Contains("later examples go first", cut.Reason, StringComparison.Ordinal);
        Assert.True(context.Report.EstimatedTokens <= context.Report.PromptBudget);
    }
}
