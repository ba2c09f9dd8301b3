namespace StoryEngine.Core;

/// <summary>
/// The catalogue of log event ids, as Npgsql keeps its <c>NpgsqlEventId</c>: every
/// <c>[LoggerMessage(EventId = ...)]</c> names one of these constants, so an id means one thing in every log
/// (issue 14: ids collided before). One nested class per area, each with a range of its own:
/// <list type="table">
/// <item><term>1000–1099</term><description><see cref="Http"/>: the request pipeline (Server).</description></item>
/// <item><term>1100–1199</term><description><see cref="Hosting"/>: the server's start (Server).</description></item>
/// <item><term>2000–2099</term><description><see cref="Sweeps"/>: trash, retention (Server).</description></item>
/// <item><term>2100–2199</term><description><see cref="Mail"/>: the mail outbox (Server).</description></item>
/// <item><term>3000–3999</term><description><see cref="Narration"/>: turns, drafts, recovery.</description></item>
/// <item><term>4000–4099</term><description><see cref="Usage"/>: the usage ledger.</description></item>
/// <item><term>4100–4199</term><description>Model backends: <c>StoryEngine.Providers.ProviderLogEvents</c>, kept in
/// that project because it references nothing of ours (../shared/ARCHITECTURE.md, "Boundaries").</description></item>
/// <item><term>4200–4299</term><description><see cref="Gateway"/>: the model gateway (queues,
/// cache).</description></item>
/// <item><term>5000–5099</term><description><see cref="Jobs"/>: the job queue and its workers.</description></item>
/// <item><term>5100–5199</term><description><see cref="Memory"/>: recall and indexing.</description></item>
/// <item><term>5200–5299</term><description><see cref="State"/>: world state extraction.</description></item>
/// <item><term>5300–5399</term><description><see cref="Knowledge"/>: world documents, knowledge search, the
/// embedding model's load and re-index sweep.</description></item>
/// <item><term>5400–5499</term><description><see cref="Agents"/>: tools, evaluations, the
/// director.</description></item>
/// <item><term>5700–5799</term><description><see cref="Speech"/> and <see cref="Bedtime"/>: speech backends, bedtime
/// stories and their voicing.</description></item>
/// <item><term>6000–6999</term><description>Storage: reserved (it logs nothing of its own yet).</description></item>
/// <item><term>7800–7899</term><description><see cref="Telemetry"/>: metrics sampling (Server).</description></item>
/// <item><term>8000–8099</term><description><see cref="Backups"/>: backups (Server).</description></item>
/// <item><term>8100–8199</term><description><see cref="Cluster"/>: nodes, leases, the relay, the
/// bus.</description></item>
/// <item><term>8200–8299</term><description><see cref="Mcp"/>: the MCP server (Server).</description></item>
/// </list>
/// It sits at the root of Core so every Core namespace sees it without a using, and Server, Storage and Formats
/// reference Core. A test (LogEventIdTests) checks that no two log methods share an id.
/// </summary>
public static class LogEvents
{
    public static class Http
    {
        public const int Unhandled = 1000;
        public const int DatabaseFailure = 1001;
    }

    public static class Hosting
    {
        public const int Ready = 1100;
    }

    public static class Sweeps
    {
        public const int TrashPurged = 2000;
        public const int RetentionSwept = 2010;

        /// <summary>Any periodic service's failed tick (Server/Jobs/PeriodicBackgroundService); the message names
        /// it.</summary>
        public const int TickFailed = 2090;
    }

    public static class Mail
    {
        public const int OutboxSent = 2100;
        public const int OutboxSendFailed = 2101;
        public const int OutboxUnreadable = 2102;
    }

    public static class Narration
    {
        public const int NarrationFailed = 3000;
        public const int OutcomeLost = 3001;
        public const int InterruptedByStop = 3002;
        public const int ContextLost = 3003;
        public const int ObserverFailed = 3004;
        public const int InterruptedMarkedAtStart = 3100;
        public const int RecoveryAtStartFailed = 3101;
        public const int DraftCheckpointFailed = 3200;
        public const int DrainStarted = 3300;
        public const int DrainEnded = 3301;

        // Issue 15: a narration that ended while the database was away.
        public const int OutcomeDeferred = 3310;
        public const int OutcomeWrittenLate = 3311;
        public const int OutcomeDropped = 3312;
        public const int OrphanSwept = 3313;
        public const int SettleFailed = 3314;
    }

    public static class Usage
    {
        public const int NotRecorded = 4000;
        public const int UserGone = 4001;
        public const int Deferred = 4010;
        public const int WrittenLate = 4011;
        public const int OutboxNotSaved = 4012;
        public const int OutboxUnreadable = 4013;
    }

    public static class Jobs
    {
        public const int Retry = 5000;
        public const int Dead = 5001;
        public const int LeaseLost = 5002;
        public const int RenewFailed = 5003;
        public const int WorkerStoreFailed = 5010;
        public const int WorkerPurged = 5011;
    }

    public static class Memory
    {
        public const int EmbeddingFailed = 5100;
        public const int NoJobQueue = 5101;
    }

    public static class State
    {
        public const int AnswerInvalid = 5200;
        public const int Skipped = 5201;
    }

    public static class Knowledge
    {
        public const int EmbeddingFailed = 5300;
        public const int ModelLoading = 5301;
        public const int ModelLoaded = 5302;
        public const int ModelLoadFailed = 5303;
        public const int ReindexQueued = 5304;
        public const int ReindexFailed = 5305;
        public const int VectorizedLoreFailed = 5306;
    }

    public static class Telemetry
    {
        public const int JobSampleFailed = 7800;
    }

    /// <summary>8000–8099: backups (Server/Backups).</summary>
    public static class Backups
    {
        public const int Taken = 8000;
        public const int Failed = 8001;
        public const int Skipped = 8002;
        public const int Pruned = 8003;
        public const int PgDumpFailed = 8004;
    }

    /// <summary>8100–8199: nodes sharing one database: leases, the narration relay, the bus (Core/Cluster,
    /// Server/Cluster).</summary>
    public static class Cluster
    {
        public const int LeaseExpired = 8100;
        public const int ReleaseFailed = 8101;
        public const int RelayFailed = 8102;
        public const int BusDisconnected = 8103;
        public const int BusReconnected = 8104;
        public const int MessageUnreadable = 8105;
        public const int HeartbeatFailed = 8106;
        public const int NodeStarted = 8107;
        public const int FollowerSettleFailed = 8108;
        public const int RateCounterFailed = 8109;
        public const int InvalidationFailed = 8110;
        public const int RedisReconnected = 8112;
        public const int BusHandlerFailed = 8113;
        public const int RedisHandlerFailed = 8114;
    }

    /// <summary>4200–4299: the model gateway: per-backend queues and the identical-request cache.</summary>
    public static class Gateway
    {
        public const int QueueFull = 4200;
        public const int CacheFailed = 4201;
    }

    /// <summary>5400–5499: the narrator's tools, evaluations, the director.</summary>
    public static class Agents
    {
        public const int ToolCalled = 5400;
        public const int DirectorAnswerInvalid = 5410;
    }

    /// <summary>5500–5599: tabletop play: rules systems, dice, sheets, combat (Core/Tabletop).</summary>
    public static class Tabletop
    {
        public const int RulesLoaded = 5500;
        public const int DiceRolled = 5501;
    }

    /// <summary>5600–5699: scenario graphs (issue 24): free text matched to choices, share links.</summary>
    public static class Scenarios
    {
        public const int ChoiceMatched = 5600;
        public const int ChoiceAnswerUnusable = 5601;
        public const int ShareCreated = 5602;
    }

    /// <summary>8200–8299: the MCP server.</summary>
    public static class Mcp
    {
        public const int StdioStarted = 8200;
    }

    /// <summary>5700–5749: speech backends (espeak-ng, OpenAI-compatible) and their fallback.</summary>
    public static class Speech
    {
        public const int FellBack = 5700;
        public const int Voiced = 5701;
        public const int VoicingFailed = 5702;
    }

    /// <summary>5750–5799: bedtime stories: chapters, the content guard.</summary>
    public static class Bedtime
    {
        public const int ChapterWritten = 5750;
        public const int ChapterRewritten = 5751;
        public const int StoryFailed = 5752;
        public const int StoryReady = 5753;
    }
}
