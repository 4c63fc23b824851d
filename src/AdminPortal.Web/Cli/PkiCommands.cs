using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Pki;

namespace AdminPortal.Web.Cli;

/// <summary>
/// <c>pki import-easyrsa DIR [--passphrase-file F]</c> (take over an easy-rsa 3 PKI), and
/// <c>backup --out FILE --passphrase-file F</c> / <c>restore --in FILE --passphrase-file F</c>.
/// </summary>
public static class PkiCommands
{
    public static async Task<int> BackupAsync(string[] args, IServiceProvider services, AuditActor actor, CancellationToken ct)
    {
        string? Opt(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        var backups = services.GetRequiredService<PkiBackup>();
        var passphrase = Opt("passphrase-file") is { } pf && File.Exists(pf) ? (await File.ReadAllTextAsync(pf, ct)).TrimEnd('\r', '\n') : null;
        if (passphrase is null)
        {
            Console.Error.WriteLine("error: give the archive passphrase with --passphrase-file FILE.");
            return 2;
        }
        if (args is ["backup", ..] && Opt("out") is { } outFile)
        {
            var made = await backups.CreateAsync(passphrase, actor, ct);
            if (!made.Ok) return Fail(made.Error!.Detail);
            await File.WriteAllBytesAsync(outFile, made.Value.File, ct);
            var s = made.Value.Summary;
            Console.WriteLine($"Backed up CA '{s.Ca}', {s.Users} users and {s.Certificates} certificates to {outFile} (audit head at {s.AuditSequence}).");
            return 0;
        }
        if (args is ["restore", ..] && Opt("in") is { } inFile && File.Exists(inFile))
        {
            var restored = await backups.RestoreAsync(await File.ReadAllBytesAsync(inFile, ct), passphrase, actor, ct);
            if (!restored.Ok) return Fail(restored.Error!.Detail);
            var s = restored.Value!;
            Console.WriteLine($"Restored CA '{s.Ca}', {s.Users} users and {s.Certificates} certificates; published CRL number {s.CrlNumber}.");
            return 0;
        }
        return Fail("Usage: backup --out FILE --passphrase-file F | restore --in FILE --passphrase-file F");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, AuditActor actor, CancellationToken ct)
    {
        string? Opt(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        if (args is not ["pki", "import-easyrsa", var dir, ..] || dir.StartsWith("--"))
        {
            Console.Error.WriteLine("Usage: pki import-easyrsa DIR [--passphrase-file FILE]   (DIR is easy-rsa's pki/ folder)");
            return 2;
        }
        string? passphrase = null;
        if (Opt("passphrase-file") is { } file)
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"error: {file} does not exist.");
                return 2;
            }
            passphrase = (await File.ReadAllTextAsync(file, ct)).TrimEnd('\r', '\n');
        }
        var result = await services.GetRequiredService<EasyRsaImport>().ImportAsync(Path.GetFullPath(dir), passphrase, actor, ct);
        if (!result.Ok)
        {
            Console.Error.WriteLine($"error: {result.Error!.Detail}");
            return 2;
        }
        var r = result.Value!;
        Console.WriteLine($"Imported CA '{r.Ca}': {r.Imported} certificates imported, {r.Skipped} skipped.");
        foreach (var i in r.Items)
            Console.WriteLine($"  {(i.Imported ? "imported" : "skipped ")}  {i.Status,-8} {i.Serial}  {i.Name}{(i.Note is null ? "" : "  (" + i.Note + ")")}");
        foreach (var p in r.Problems) Console.WriteLine($"  problem: {p}");
        Console.WriteLine(JsonSerializer.Serialize(new { r.Imported, r.Skipped }, JsonSerializerOptions.Web));
        return 0;
    }
}
