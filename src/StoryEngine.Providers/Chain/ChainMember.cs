using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Chain;

/// <summary>One backend handed to a <see cref="BackendChain"/>: its configuration and the client that talks to
/// it.</summary>
public sealed record ChainMember(BackendOptions Options, IChatClient Client, Gateway.BackendGate? Gate = null);
