using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;

namespace StoryEngine.Core.Speech;

/// <summary>Voices every completed narration as it is committed when <c>Speech:AutoRead</c> is on (issue 25: "auto
/// read"), so the play button finds the audio ready.</summary>
public sealed class AutoReadObserver(IJobQueue queue, SpeechOptions options) : INarrationObserver
{
    public async Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        if (!options.AutoRead)
        {
            return;
        }
        await TurnVoicer.QueueAsync(
            queue,
            narration.OwnerId,
            narration.AdventureId,
            narration.TurnId,
            cancellationToken
        );
    }
}
