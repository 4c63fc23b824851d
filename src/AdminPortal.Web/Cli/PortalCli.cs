using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Secrets;
using AdminPortal.Web.Tokens;

namespace AdminPortal.Web.Cli;

/// <summary>
/// The portal's executable also takes commands: migrate, token create/revoke/list, admin create,
/// audit verify/checkpoint. Results go to stdout (a new token alone on the last line), errors to stderr.
/// </summary>
public static class PortalCli
{
    public const string Usage = """
        Usage: AdminPortal [command]
          (no command)                               run the portal
          migrate                                    apply database migrations
          token create --name NAME --role ROLE       create an API token (printed alone on the last line)
          token revoke --name NAME                   revoke an API token
          token list                                 list API tokens
          admin create --email EMAIL --role ROLE     create an operator; prints a one-time setup link
          audit verify                               verify the audit chain against the latest checkpoint
          audit checkpoint                           sign a checkpoint of the audit chain now
          master-key generate --out FILE             write a new random master key file (mode 0600)
          master-key rotate --new-key-file FILE      re-encrypt every stored secret under a new master key
          pki import-easyrsa DIR [--passphrase-file F]  take over an easy-rsa 3 PKI (DIR = its pki/ folder)
          backup --out FILE --passphrase-file F      passphrase-encrypted archive of the CA, keys, certificates, revocations
          restore --in FILE --passphrase-file F      take over from such an archive (into a portal without a CA)
        Roles: Admin, SecurityLead, Helpdesk, Auditor
        """;

    private static readonly string[] Commands = ["migrate", "token", "admin", "audit", "master-key", "pki", "backup", "restore", "help", "--help"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, CancellationToken ct)
    {
        var actor = AuditActor.Cli(Environment.UserName);
        string? Opt(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        switch (args)
        {
            case ["migrate", ..]:
                var applied = await services.GetRequiredService<PortalDatabase>().MigrateAsync(ct);
                await services.SeedRolesAsync(ct);
                Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied: {string.Join(", ", applied)}");
                return 0;
            case ["token", "create", ..]:
                return Report(await services.GetRequiredService<ApiTokenService>().CreateAsync(Opt("name"), Opt("role"), actor, ct),
                    t => $"Created token '{t.Info.Name}' with role {t.Info.Role}. Store it now: it is not shown again.\n{t.Token}");
            case ["token", "revoke", ..]:
                return Report(await services.GetRequiredService<ApiTokenService>().RevokeAsync(Opt("name") ?? "", actor, ct),
                    t => $"Revoked token '{t.Name}'.");
            case ["token", "list", ..]:
                foreach (var t in await services.GetRequiredService<ApiTokenService>().ListAsync(ct))
                    Console.WriteLine($"{t.Name}\t{t.Role}\t{t.Prefix}…\t{(t.RevokedAt is null ? "active" : "revoked")}");
                return 0;
            case ["admin", "create", ..]:
                await services.SeedRolesAsync(ct); // a fresh database has no roles until the portal first runs
                return Report(await services.GetRequiredService<OperatorService>().InviteAsync(Opt("email"), Opt("name"), Opt("role") ?? "Admin", actor, ct),
                    inv => $"Operator {inv.Operator.Email} ({inv.Operator.Role}) created. One-time setup link (valid 24 h):\n{inv.SetupLink}");
            case ["audit", "verify", ..]:
                var v = await services.GetRequiredService<AuditIntegrity>().VerifyAsync(actor, ct);
                Console.WriteLine(JsonSerializer.Serialize(v, JsonSerializerOptions.Web));
                return v.Ok ? 0 : 1;
            case ["audit", "checkpoint", ..]:
                var cp = await services.GetRequiredService<AuditIntegrity>().CheckpointAsync(actor, ct);
                Console.WriteLine($"Signed checkpoint at sequence {cp.Sequence}: {cp.HeadHash}");
                return 0;
            case ["backup" or "restore", ..]:
                return await PkiCommands.BackupAsync(args, services, actor, ct);
            case ["pki", ..]:
                return await PkiCommands.RunAsync(args, services, actor, ct);
            case ["master-key", ..]:
                return await MasterKeyCommands.RunAsync(args, services, actor, ct);
            default:
                Console.Error.WriteLine(Usage);
                return args is ["help" or "--help"] ? 0 : 2;
        }
    }

    private static int Report<T>(Result<T> result, Func<T, string> ok)
    {
        if (result.Ok)
        {
            Console.WriteLine(ok(result.Value!));
            return 0;
        }
        Console.Error.WriteLine($"error: {result.Error!.Detail}");
        return result.Error is NotFound ? 3 : 2;
    }
}
