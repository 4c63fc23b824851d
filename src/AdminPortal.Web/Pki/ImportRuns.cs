using System.Collections.Concurrent;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosting;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Pki;

public sealed record ImportRun(
    Guid Id, string FileName, string Stage, int Done, int Total, bool Finished, ImportReport? Report, PortalError? Error,
    string StartedBy, DateTimeOffset StartedAt);

/// <summary>An import that broke on a fault of ours or the machine's (not the archive's); nothing was stored.</summary>
public sealed record ImportFailed(string Message) : PortalError("The import failed", Message, StatusCodes.Status500InternalServerError);

/// <summary>
/// Imports an uploaded easy-rsa archive: saved into a private folder (mode 0700) under the data directory's imports/,
/// unpacked there by <see cref="PkiArchive"/>, taken over by <see cref="EasyRsaImport"/> (which audits it), and the
/// folder deleted in every case. From the UI it runs in the background, one at a time, so the operator may leave
/// the page: progress is kept here for this process's lifetime and announced to whoever listens. The CA key's
/// passphrase stays in memory for the run only.
/// </summary>
public sealed class ImportRuns(
    EasyRsaImport import, IOptions<PortalOptions> portal, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ImportRuns> logger)
{
    /// <summary>Where uploads are unpacked, one folder each, deleted when their import ends.</summary>
    public string WorkRoot { get; } = Path.Combine(portal.Value.ResolveDataDirectory(), "imports");

    private readonly ConcurrentDictionary<Guid, ImportRun> _runs = new();
    private readonly Lock _gate = new();

    /// <summary>Raised at every step; subscribers marshal to their own context (components: InvokeAsync).</summary>
    public event Action<ImportRun>? Changed;

    public ImportRun? Latest() => _runs.Values.MaxBy(r => r.StartedAt);

    /// <summary>Saves the upload (while the caller waits: the browser's stream lives with its circuit), then
    /// unpacks and imports in the background.</summary>
    public async Task<Result<ImportRun>> StartAsync(Stream upload, string fileName, string? passphrase, AuditActor actor, CancellationToken ct)
    {
        if (Latest() is { Finished: false }) return new Conflict("An import is already running; wait for its report.");
        var saved = await SaveAsync(upload, ct);
        if (!saved.Ok) return saved.Error!;
        var run = new ImportRun(Guid.NewGuid(), fileName, "unpacking the archive", 0, 0, false, null, null, actor.Name, time.GetUtcNow());
        lock (_gate)
        {
            if (Latest() is { Finished: false })
            {
                Delete(saved.Value!);
                return new Conflict("An import is already running; wait for its report.");
            }
            _runs[run.Id] = run;
            // Only the latest is shown; a few are kept, not every attempt of the process's lifetime.
            foreach (var stale in _runs.Values.OrderByDescending(r => r.StartedAt).Skip(5)) _runs.TryRemove(stale.Id, out _);
        }
        Publish(run);
        _ = Task.Run(() => RunAsync(run, saved.Value!, passphrase, actor, lifetime.ApplicationStopping), CancellationToken.None);
        return run;
    }

    /// <summary>The same import in the caller's flow (the API).</summary>
    public async Task<Result<ImportReport>> ImportAsync(Stream upload, string? passphrase, AuditActor actor, CancellationToken ct)
    {
        var saved = await SaveAsync(upload, ct);
        return saved.Ok ? await ImportSavedAsync(saved.Value, passphrase, actor, null, ct) : saved.Error;
    }

    private async Task RunAsync(ImportRun run, string folder, string? passphrase, AuditActor actor, CancellationToken ct)
    {
        Result<ImportReport> result;
        try
        {
            result = await ImportSavedAsync(folder, passphrase, actor,
                (done, total) => Publish(run = run with { Stage = "importing certificates", Done = done, Total = total }), ct);
        }
        catch (Exception e)
        {
            // Never the exception's text in the run: it is shown to operators; the log has it.
            logger.ImportFailed(e, run.Id);
            result = new ImportFailed($"The import stopped on an internal error ({e.GetType().Name}); nothing was imported.");
        }
        Publish(run with { Stage = "Finished", Finished = true, Report = result.Value, Error = result.Error });
    }

    private async Task<Result<ImportReport>> ImportSavedAsync(string folder, string? passphrase, AuditActor actor, Action<int, int>? progress, CancellationToken ct)
    {
        try
        {
            var pki = await PkiArchive.ExtractAsync(Path.Combine(folder, "upload"), Path.Combine(folder, "unpacked"), ct);
            if (!pki.Ok) return pki.Error;
            progress?.Invoke(0, 0);
            return await import.ImportAsync(pki.Value, passphrase, actor, ct, progress);
        }
        finally { Delete(folder); }
    }

    private async Task<Result<string>> SaveAsync(Stream upload, CancellationToken ct)
    {
        var folder = Path.Combine(WorkRoot, Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(folder, "unpacked"));
        var tooLarge = new InvalidInput("archive", $"The archive is larger than {PkiArchive.MaxUploadBytes / 1024 / 1024} MB.");
        try
        {
            await using var file = new FileStream(Path.Combine(folder, "upload"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await upload.ReadAsync(buffer, ct)) > 0)
            {
                if ((total += read) > PkiArchive.MaxUploadBytes) break;
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            if (total <= PkiArchive.MaxUploadBytes) return folder;
        }
        catch
        {
            Delete(folder);
            throw;
        }
        Delete(folder);
        return tooLarge;
    }

    private void Publish(ImportRun run)
    {
        _runs[run.Id] = run;
        Changed?.Invoke(run);
    }

    private static void Delete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

internal static partial class ImportRunsLog
{
    [LoggerMessage(LogLevel.Error, "easy-rsa import {Run} failed")]
    public static partial void ImportFailed(this ILogger logger, Exception exception, Guid run);
}
