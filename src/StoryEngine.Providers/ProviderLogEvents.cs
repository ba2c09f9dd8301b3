namespace StoryEngine.Providers;

/// <summary>
/// Log event ids of the model backends: 4100–4199 in the catalogue <c>StoryEngine.Core.LogEvents</c>, which lists
/// every range. They live here because this project references nothing of ours.
/// </summary>
internal static class ProviderLogEvents
{
    public static class Chain
    {
        public const int Retrying = 4101;
        public const int FallingBack = 4102;
        public const int CircuitOpened = 4103;
        public const int CircuitHalfOpened = 4104;
        public const int CircuitClosed = 4105;
        public const int Answered = 4106;
        public const int StreamInterrupted = 4107;
        public const int AllBackendsFailed = 4108;
        public const int Probed = 4109;
    }
}
