using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Hosting;

/// <summary>The <c>Portal</c> configuration section.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Where the private PostgreSQL cluster, the master key and the checkpoints live by default.</summary>
    [Required] public string DataDirectory { get; set; } = ".data";

    /// <summary>The master key file (32 random bytes, base64). Defaults to <c>DATA/master.key</c>, created if missing.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Keys replaced by a rotation, still needed to read secrets not yet re-encrypted.</summary>
    public string[] PreviousMasterKeyFiles { get; set; } = [];

    /// <summary>Where initdb/pg_ctl live; found under /usr/lib/postgresql when empty.</summary>
    public string? PostgresBinDirectory { get; set; }

    /// <summary>Apply pending migrations at start-up (the <c>migrate</c> command does it explicitly).</summary>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>The address operators reach the portal at, used in links the portal prints or mails.</summary>
    [Required, Url] public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Write logs as JSON lines (for a log collector) rather than text.</summary>
    public bool JsonLogs { get; set; }

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory, CheckoutRoot());

    public string ResolveMasterKeyFile() =>
        Path.GetFullPath(MasterKeyFile ?? Path.Combine(ResolveDataDirectory(), "master.key"), CheckoutRoot());

    /// <summary>Relative paths are taken from the checkout (the folder with AdminPortal.sln), else the working directory.</summary>
    public static string CheckoutRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AdminPortal.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>The <c>Audit</c> configuration section.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Where signed checkpoints are written; defaults to <c>DATA/audit-checkpoints</c>.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>The checkpoint signing key (ECDSA P-256, PEM); defaults to <c>DATA/audit-checkpoint.key</c>. Never in the database.</summary>
    public string? CheckpointKeyFile { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromHours(1);
}
