using System.Text;
using AdminPortal.Tests.Infrastructure;
using Npgsql;

namespace AdminPortal.Tests.SecretsScan;

/// <summary>
/// What the secrets scan reads after the whole suite (see SecretsScanTests in AdminPortal.Tests): every portal's log
/// (in-process and child processes write a Serilog file here), every test database's audit events (dumped
/// when the test process ends), and the secrets the test helpers made (a ledger).
/// Under $ADMINPORTAL_SECRETS_SCAN_DIR, or TestResults/secrets-scan of the checkout.
/// </summary>
public static class ScanArtifacts
{
    public static string Root { get; } = Environment.GetEnvironmentVariable("ADMINPORTAL_SECRETS_SCAN_DIR") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Repo.Root, "TestResults", "secrets-scan");

    public static string Logs => Path.Combine(Root, "logs");
    public static string Audit => Path.Combine(Root, "audit");
    public static string Ledger => Path.Combine(Root, "secrets.tsv");

    private static readonly Lock LedgerLock = new();

    /// <summary>Serilog settings (configuration keys) that add a file of this portal's log events, properties included.</summary>
    public static IEnumerable<KeyValuePair<string, string>> LogSettings(string name)
    {
        Directory.CreateDirectory(Logs);
        var path = Path.Combine(Logs, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + ".log");
        const string section = "Serilog:WriteTo:SecretsScanFile";
        return
        [
            // Named, because an in-process portal's entry assembly (the test host) does not list Serilog's sinks.
            new("Serilog:Using:SecretsScanFile", "Serilog.Sinks.File"),
            new($"{section}:Name", "File"),
            new($"{section}:Args:path", path),
            new($"{section}:Args:outputTemplate", "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}"),
        ];
    }

    /// <summary>Records a secret a test made or was given, so the scan looks for it verbatim.</summary>
    public static void Record(string kind, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        var line = $"{kind}\t{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}\n";
        lock (LedgerLock)
        {
            Directory.CreateDirectory(Root);
            File.AppendAllText(Ledger, line);
        }
    }

    /// <summary>Records the string values of JSON properties that hold secrets (passwords, passphrases, tokens) in a request or response.</summary>
    public static void RecordJson(string json)
    {
        try
        {
            Walk(System.Text.Json.JsonDocument.Parse(json).RootElement);
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON (a problem page, an empty body): nothing to record
        }
    }

    private static void Walk(System.Text.Json.JsonElement e)
    {
        if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
            foreach (var item in e.EnumerateArray()) Walk(item);
        if (e.ValueKind != System.Text.Json.JsonValueKind.Object) return;
        foreach (var p in e.EnumerateObject())
        {
            var name = p.Name.ToLowerInvariant();
            if (p.Value.ValueKind == System.Text.Json.JsonValueKind.String && (name.Contains("password") || name.Contains("passphrase") || name is "token" or "secret"))
                Record(p.Name, p.Value.GetString());
            else Walk(p.Value);
        }
    }

    /// <summary>Writes actor, action, target, details and client address of every audit event of every database in the cluster.</summary>
    public static void DumpAuditEvents(Func<string, string> connectionString)
    {
        foreach (var database in Query(Unpooled(connectionString("postgres")), "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"))
            DumpAuditEvents(database[0], connectionString(database[0]));
    }

    /// <summary>The same for one database (a portal fixture's, when it is disposed); nothing if it has no audit trail.</summary>
    public static void DumpAuditEvents(string database, string connectionString)
    {
        try
        {
            var cs = Unpooled(connectionString);
            if (Query(cs, "SELECT coalesce(to_regclass('public.audit_events')::text, '')")[0][0] == "") return;
            var rows = Query(cs, "SELECT sequence::text, actor, actor_role, action, target, details::text, coalesce(client_address, '') FROM audit_events ORDER BY sequence");
            Directory.CreateDirectory(Audit);
            File.WriteAllLines(Path.Combine(Audit, database + ".tsv"), rows.Select(r => string.Join('\t', r.Select(c => c.ReplaceLineEndings("\\n")))));
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            // A test that stopped or dropped its database: the scan's own counts show if too little was dumped.
            Console.Error.WriteLine($"Secrets scan: could not dump the audit events of {database}: {e.Message}");
        }
    }

    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static List<string[]> Query(string connectionString, string sql)
    {
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        using var reader = cmd.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetString(i)).ToArray());
        return rows;
    }
}
