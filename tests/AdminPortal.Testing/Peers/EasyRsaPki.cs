using System.Security.Cryptography.X509Certificates;

namespace AdminPortal.Tests.Peers;

/// <summary>A certificate and its key as easy-rsa issued them (captured at issue: revoking moves the files).</summary>
public sealed record EasyRsaCertificate(string Name, string SerialHex, string CertificatePem, string KeyPem);

/// <summary>
/// A real easy-rsa 3 PKI in a temp dir (<c>/usr/share/easy-rsa/easyrsa</c>, batch mode, EC P-256 keys, the CA key
/// encrypted with <see cref="CaPassphrase"/>), for tests that need certificates made by something other than the
/// portal: the OpenVPN lab's own material, and easy-rsa imports. Commands are serialized (easy-rsa is not safe
/// under concurrency).
/// </summary>
public sealed class EasyRsaPki : IDisposable
{
    public const string EasyRsa = "/usr/share/easy-rsa/easyrsa";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, EasyRsaCertificate> _issued = [];

    /// <summary>The folder holding <see cref="Directory"/> (<c>pki/</c>); removed on dispose.</summary>
    public string Root { get; }
    /// <summary>The PKI itself (EASYRSA_PKI): ca.crt, private/, issued/, revoked/, index.txt, crl.pem, serial.</summary>
    public string Directory => Path.Combine(Root, "pki");
    public string CaPassphrase { get; }
    public string CaCommonName { get; }

    public string CaCertPath => Path.Combine(Directory, "ca.crt");
    public string CaKeyPath => Path.Combine(Directory, "private", "ca.key");
    public string CrlPath => Path.Combine(Directory, "crl.pem");
    public string IndexPath => Path.Combine(Directory, "index.txt");
    public string CaCertPem => File.ReadAllText(CaCertPath);
    /// <summary>PEM "ENCRYPTED PRIVATE KEY" (PKCS#8) under <see cref="CaPassphrase"/>.</summary>
    public string CaKeyPem => File.ReadAllText(CaKeyPath);
    /// <summary>The CRL of the last <see cref="GenCrlAsync"/>.</summary>
    public string CrlPem => File.ReadAllText(CrlPath);
    public string IndexTxt => File.ReadAllText(IndexPath);
    public IReadOnlyDictionary<string, EasyRsaCertificate> Issued => _issued;

    private EasyRsaPki(string root, string caPassphrase, string caCommonName)
    {
        Root = root;
        CaPassphrase = caPassphrase;
        SecretsScan.ScanArtifacts.Record("CA passphrase", caPassphrase);
        CaCommonName = caCommonName;
    }

    /// <summary><c>init-pki</c> then <c>build-ca</c> with a passphrase-protected CA key.</summary>
    public static async Task<EasyRsaPki> CreateAsync(string caPassphrase = "lab-ca-passphrase", string caCommonName = "Lab CA",
        CancellationToken ct = default)
    {
        var root = Path.Combine(Path.GetTempPath(), $"ap-easyrsa-{Guid.NewGuid():N}"[..23]);
        System.IO.Directory.CreateDirectory(root);
        AdminPortal.Testing.Processes.StartWatchdog(root);
        var pki = new EasyRsaPki(root, caPassphrase, caCommonName);
        try
        {
            await pki.RunAsync(ct, "init-pki");
            await pki.RunAsync(ct, $"--req-cn={caCommonName}", $"--passin=pass:{caPassphrase}", $"--passout=pass:{caPassphrase}", "build-ca");
            return pki;
        }
        catch
        {
            pki.Dispose();
            throw;
        }
    }

    /// <summary><c>build-server-full NAME nopass</c>: serverAuth EKU.</summary>
    public Task<EasyRsaCertificate> BuildServerAsync(string name = "server", CancellationToken ct = default) =>
        BuildAsync("build-server-full", name, ct);

    /// <summary><c>build-client-full NAME nopass</c>: clientAuth EKU.</summary>
    public Task<EasyRsaCertificate> BuildClientAsync(string name, CancellationToken ct = default) =>
        BuildAsync("build-client-full", name, ct);

    /// <summary><c>revoke NAME [reason]</c> (easy-rsa 3.1 reasons: unspecified, keyCompromise, CACompromise,
    /// affiliationChanged, superseded, cessationOfOperation, certificateHold). Takes effect at <see cref="GenCrlAsync"/>.</summary>
    public Task RevokeAsync(string name, string? reason = null, CancellationToken ct = default) =>
        RunAsync(ct, [$"--passin=pass:{CaPassphrase}", "revoke", name, .. reason is null ? Array.Empty<string>() : [reason]]);

    /// <summary><c>gen-crl</c> (valid 180 days unless <paramref name="days"/>); returns the new crl.pem.</summary>
    public async Task<string> GenCrlAsync(int? days = null, CancellationToken ct = default)
    {
        await RunAsync(ct, [$"--passin=pass:{CaPassphrase}", .. days is { } d ? [$"--days={d}"] : Array.Empty<string>(), "gen-crl"]);
        return CrlPem;
    }

    /// <summary>A CRL of the same CA and revocations whose nextUpdate has passed (2020-01-02), made with
    /// <c>openssl ca -gencrl -crl_lastupdate/-crl_nextupdate</c> on easy-rsa's own config; crl.pem is untouched.</summary>
    public async Task<string> GenExpiredCrlAsync(CancellationToken ct = default)
    {
        var output = Path.Combine(Root, $"expired-{Guid.NewGuid():N}.pem");
        await _gate.WaitAsync(ct);
        try
        {
            await Proc.CheckedAsync("openssl", ["ca", "-config", Path.Combine(Directory, "safessl-easyrsa.cnf"), "-gencrl",
                "-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200102000000Z",
                "-passin", $"pass:{CaPassphrase}", "-out", output], Environment(), Root, TimeSpan.FromSeconds(30), ct);
            return await File.ReadAllTextAsync(output, ct);
        }
        finally
        {
            File.Delete(output);
            _gate.Release();
        }
    }

    private async Task<EasyRsaCertificate> BuildAsync(string command, string name, CancellationToken ct)
    {
        await RunAsync(ct, $"--passin=pass:{CaPassphrase}", command, name, "nopass");
        var certPem = await File.ReadAllTextAsync(Path.Combine(Directory, "issued", $"{name}.crt"), ct);
        using var cert = X509Certificate2.CreateFromPem(certPem);
        var issued = new EasyRsaCertificate(name, cert.SerialNumber, certPem,
            await File.ReadAllTextAsync(Path.Combine(Directory, "private", $"{name}.key"), ct));
        lock (_issued) _issued[name] = issued;
        return issued;
    }

    private async Task RunAsync(CancellationToken ct, params string[] args)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await Proc.CheckedAsync(EasyRsa, args, Environment(), Root, TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["EASYRSA_BATCH"] = "1", ["EASYRSA_PKI"] = Directory, ["EASYRSA_ALGO"] = "ec", ["EASYRSA_CURVE"] = "prime256v1",
    };

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
