using AdminPortal.Data.Audit;

namespace AdminPortal.Web.Secrets;

/// <summary><c>master-key generate --out FILE</c> and <c>master-key rotate --new-key-file FILE</c>.</summary>
public static class MasterKeyCommands
{
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, AuditActor actor, CancellationToken ct)
    {
        string? Opt(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        switch (args)
        {
            case ["master-key", "generate", ..] when Opt("out") is { } path:
                if (File.Exists(path))
                {
                    Console.Error.WriteLine($"error: {path} exists; choose a new file.");
                    return 2;
                }
                _ = MasterKeyFile.Load(path, createIfMissing: true);
                Console.WriteLine($"Wrote a new master key to {path} (mode 0600).");
                return 0;
            case ["master-key", "rotate", ..] when Opt("new-key-file") is { } path:
                byte[] key;
                try { key = MasterKeyFile.Load(path, createIfMissing: false).Key; }
                catch (Exception e) when (e is IOException or InvalidDataException)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
                var result = await services.GetRequiredService<MasterKeyRotation>().RotateAsync(key, actor, ct);
                Console.WriteLine($"Re-encrypted {result.TotpSecrets} TOTP secrets and {result.DataProtectionKeys} Data Protection keys: key {result.OldKeyId} -> {result.NewKeyId}.");
                Console.WriteLine($"Now set Portal:MasterKeyFile to {Path.GetFullPath(path)} and start the portal. Keep the old key file (offline) until you have verified a login.");
                return 0;
            default:
                Console.Error.WriteLine("Usage: master-key generate --out FILE | master-key rotate --new-key-file FILE");
                return 2;
        }
    }
}
