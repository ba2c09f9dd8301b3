using Microsoft.Extensions.AI;
using StoryEngine.Core.Narration;

namespace StoryEngine.Core.Generation;

/// <summary>
/// The generation settings of one narration: the server's defaults (<c>Narrator:Generation</c>) under the world's
/// under the adventure's, the options the model call gets, and the report the context inspector shows, listing
/// every setting a backend of the chain cannot take.
/// </summary>
public sealed class NarrationGeneration(GenerationDefaults defaults, INarrator narrator)
{
    private readonly GenerationSettings _server = defaults.ToSettings();

    public (ChatOptions Options, GenerationReport Report) Plan(NarrationInput input)
    {
        var plan = GenerationPlan.Merge(_server, input.World.Generation, input.Settings?.Generation);
        return (plan.ToChatOptions(narrator.Settings.ReplyTokens), plan.Report(narrator.Unsupported(plan.Effective)));
    }
}
