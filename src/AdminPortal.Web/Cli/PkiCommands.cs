using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Pki;

namespace AdminPortal.Web.Cli;

/// <summary><c>pki import-easyrsa DIR [--passphrase-file F]</c>: takes over an easy-rsa 3 PKI and prints the report.</summary>
public static class PkiCommands
{
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
