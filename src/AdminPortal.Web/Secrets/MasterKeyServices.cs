using AdminPortal.Data;
using AdminPortal.Web.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Secrets;

public static partial class MasterKeyServices
{
    /// <summary>
    /// The master key (read from its file, or created at the default location), the <see cref="SecretProtector"/> that
    /// encrypts every stored secret under it, the Data Protection key ring kept in the database encrypted under it, and
    /// its rotation.
    /// </summary>
    public static IServiceCollection AddMasterKey(this IServiceCollection s)
    {
        s.AddSingleton(sp => CreateProtector(sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<ILogger<SecretProtector>>()));
        s.AddDataProtection().SetApplicationName("AdminPortal").PersistKeysToDbContext<PortalDbContext>();
        s.AddSingleton<IConfigureOptions<KeyManagementOptions>, MasterKeyXmlEncryption>();
        s.AddSingleton<MasterKeyRotation>();
        return s;
    }

    private static SecretProtector CreateProtector(PortalOptions options, ILogger logger)
    {
        var path = options.ResolveMasterKeyFile();
        // Only the default location is created on demand; a configured key file must exist.
        var (key, created) = MasterKeyFile.Load(path, createIfMissing: options.MasterKeyFile is null);
        if (created) LogGenerated(logger, path);
        var previous = options.PreviousMasterKeyFiles.Select(f => MasterKeyFile.Load(f, false).Key);
        return new SecretProtector(key, previous);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Generated a new master key at {Path} (mode 0600). Back it up: without it no stored secret can be read. See docs/operations.md, 'Secrets and the master key'.")]
    private static partial void LogGenerated(ILogger logger, string path);
}
