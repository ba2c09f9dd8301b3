using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// A backup opened for reading. <see cref="OpenAsync"/> checks every checksum and row count before it returns, so
/// nothing is restored from a damaged, truncated or edited backup.
/// </summary>
public sealed class BackupArchive : IDisposable
{
    private readonly ZipArchive _zip;

    private BackupArchive(string path, ZipArchive zip, BackupManifest manifest)
    {
        Path = path;
        _zip = zip;
        Manifest = manifest;
    }

    public string Path { get; }

    public BackupManifest Manifest { get; }

    /// <summary>Opens and checks a backup: manifest checksum, then every entry's SHA-256 and row count.</summary>
    public static async Task<BackupArchive> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var archive = await OpenManifestAsync(path, cancellationToken);
        try
        {
            await archive.CheckEntriesAsync(cancellationToken);
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>Reads the manifest and checks its own checksum only: enough to list backups quickly.</summary>
    public static async Task<BackupArchive> OpenManifestAsync(string path, CancellationToken cancellationToken)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new BackupException($"There is no backup at {path}.");
        }
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(
                new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read),
                ZipArchiveMode.Read
            );
        }
        catch (InvalidDataException e)
        {
            throw new BackupCorruptException(
                path,
                $"it is not a complete backup archive (cut short or damaged: {e.Message})",
                e
            );
        }
        try
        {
            var bytes = await ReadAllAsync(zip, path, BackupManifest.EntryName, cancellationToken);
            var expected = Encoding
                .ASCII.GetString(await ReadAllAsync(zip, path, BackupManifest.ChecksumEntryName, cancellationToken))
                .Trim();
            if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), expected, StringComparison.Ordinal))
            {
                throw new BackupCorruptException(
                    path,
                    "manifest.json does not match manifest.sha256 (it was changed after the backup was written)"
                );
            }
            BackupManifest? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<BackupManifest>(bytes, BackupManifest.Json);
            }
            catch (JsonException e)
            {
                throw new BackupCorruptException(path, $"manifest.json is not valid ({e.Message})", e);
            }
            if (manifest is null || manifest.Format != BackupManifest.CurrentFormat)
            {
                throw new BackupException(
                    $"The backup {path} is in format '{manifest?.Format}', which this Story "
                        + $"Engine does not read (it reads {BackupManifest.CurrentFormat})."
                );
            }
            return new BackupArchive(path, zip, manifest);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>A table's rows, in the order of its manifest columns.</summary>
    public async IAsyncEnumerable<object?[]> RowsAsync(
        BackupManifestTable table,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var reader = new StreamReader(Open(table.Entry), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return RowCodec.Read(line);
        }
    }

    /// <summary>A carried file's content (a key, the database copy).</summary>
    public Stream OpenFile(BackupManifestFile file) => Open(file.Entry);

    public void Dispose() => _zip.Dispose();

    private Stream Open(string entryName) =>
        (_zip.GetEntry(entryName) ?? throw new BackupCorruptException(Path, $"{entryName} is missing")).Open();

    private async Task CheckEntriesAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Manifest.Tables)
        {
            var (sha, lines) = await HashAsync(table.Entry, cancellationToken);
            if (sha != table.Sha256)
            {
                throw new BackupCorruptException(Path, $"{table.Entry} does not match its checksum in the manifest");
            }
            if (lines != table.Rows)
            {
                throw new BackupCorruptException(
                    Path,
                    $"{table.Entry} holds {lines} rows but the manifest says {table.Rows}"
                );
            }
        }
        foreach (var file in Manifest.Files)
        {
            var (sha, _) = await HashAsync(file.Entry, cancellationToken);
            if (sha != file.Sha256)
            {
                throw new BackupCorruptException(Path, $"{file.Entry} does not match its checksum in the manifest");
            }
        }
    }

    private async Task<(string Sha256, long Lines)> HashAsync(string entryName, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var lines = 0L;
        var buffer = new byte[1 << 16];
        try
        {
            await using var stream = Open(entryName);
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }
        catch (InvalidDataException e)
        {
            throw new BackupCorruptException(Path, $"{entryName} could not be read ({e.Message})", e);
        }
        return (Convert.ToHexStringLower(hash.GetCurrentHash()), lines);
    }

    private static async Task<byte[]> ReadAllAsync(
        ZipArchive zip,
        string path,
        string entryName,
        CancellationToken cancellationToken
    )
    {
        var entry = zip.GetEntry(entryName) ?? throw new BackupCorruptException(path, $"{entryName} is missing");
        try
        {
            await using var stream = entry.Open();
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, cancellationToken);
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new BackupCorruptException(path, $"{entryName} could not be read ({e.Message})", e);
        }
    }
}
