using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// One <see cref="StateFold"/> per recently used adventure, brought up to date from the log's tail on each use, so a
/// turn reads only the events since the last one (and only the kinds the fold needs) instead of the whole history.
/// </summary>
public sealed class WorldStateCache(IStoryLog log) : EventFoldCache<StateFold>(log, StateFold.EventTypes);
