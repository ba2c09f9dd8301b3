using System.IO.Compression;
using System.Text.Json;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// Writes one backup archive (a zip of JSON-lines tables, files and the manifest) under a temporary name beside its
/// final one, and renames it only once everything is on disk: a crash never leaves a half backup that looks whole.
/// </summary>
public sealed class BackupArchiveWriter : IDisposable
{
    private readonly string _path;
    private readonly string _partialPath;
    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly List<BackupManifestTable> _tables = [];
    private readonly List<BackupManifestFile> _files = [];
    private bool _committed;

    public BackupArchiveWriter(string path)
    {
        _path = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(folder);
        if (File.Exists(_path))
        {
            throw new BackupException($"{_path} exists already; choose another --out or remove it.");
        }
        // A dot-name ending in .partial: `backup list` and retention never take it for a backup.
        _partialPath = Path.Combine(folder, "." + Path.GetFileName(_path) + ".partial");
        _file = new FileStream(_partialPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        _zip = new ZipArchive(_file, ZipArchiveMode.Create, leaveOpen: true);
    }

    /// <summary>A scratch path beside the archive (for the SQLite snapshot copy), removed with a failed
    /// archive.</summary>
    public string ScratchPath(string suffix) => _partialPath + suffix;

    public async Task AddTableAsync(
        string name,
        IReadOnlyList<BackupManifestColumn> columns,
        IAsyncEnumerable<object?[]> rows,
        CancellationToken cancellationToken
    )
    {
        var entryName = $"tables/{name}.jsonl";
        var count = 0L;
        var hashing = new HashingStream(_zip.CreateEntry(entryName, CompressionLevel.Fastest).Open());
        await using (hashing)
        {
            await using var buffered = new BufferedStream(hashing, 1 << 16);
            await using var json = new Utf8JsonWriter(buffered);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                json.Reset();
                RowCodec.Write(json, row);
                await json.FlushAsync(cancellationToken);
                buffered.WriteByte((byte)'\n');
                count++;
            }
            await buffered.FlushAsync(cancellationToken);
        }
        _tables.Add(new BackupManifestTable(name, entryName, count, hashing.Sha256(), columns));
    }

    public async Task AddFileAsync(string entryName, string sourcePath, CancellationToken cancellationToken)
    {
        var hashing = new HashingStream(_zip.CreateEntry(entryName, CompressionLevel.Fastest).Open());
        await using (hashing)
        {
            await using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            await source.CopyToAsync(hashing, cancellationToken);
        }
        _files.Add(new BackupManifestFile(entryName, hashing.Written, hashing.Sha256()));
    }

    /// <summary>Writes the manifest, makes the archive durable and gives it its final name.</summary>
    public async Task<BackupManifest> CommitAsync(
        DateTimeOffset createdAt,
        string engine,
        int schemaVersion,
        string? version,
        CancellationToken cancellationToken
    )
    {
        var manifest = new BackupManifest(
            BackupManifest.CurrentFormat,
            createdAt,
            engine,
            schemaVersion,
            version,
            _tables,
            _files
        );
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, BackupManifest.Json);
        await using (var entry = _zip.CreateEntry(BackupManifest.EntryName, CompressionLevel.Fastest).Open())
        {
            await entry.WriteAsync(bytes, cancellationToken);
        }
        await using (
            var entry = _zip.CreateEntry(BackupManifest.ChecksumEntryName, CompressionLevel.NoCompression).Open()
        )
        {
            await entry.WriteAsync(
                System.Text.Encoding.ASCII.GetBytes(
                    Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) + "\n"
                ),
                cancellationToken
            );
        }
        _zip.Dispose();
        await _file.FlushAsync(cancellationToken);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync();
        File.Move(_partialPath, _path);
        _committed = true;
        return manifest;
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        try
        {
            _zip.Dispose();
        }
        catch (IOException)
        {
            // The archive is being thrown away; a half-written zip may not close cleanly.
        }
        catch (InvalidDataException)
        {
            // Likewise.
        }
        _file.Dispose();
        File.Delete(_partialPath);
    }
}
