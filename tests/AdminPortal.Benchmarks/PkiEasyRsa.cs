namespace AdminPortal.Benchmarks;

/// <summary>
/// The baseline for issuance: easy-rsa 3's <c>build-client-full NAME nopass</c> (EC prime256v1, batch mode) on
/// a PKI of its own in a temp folder; one certificate at a time, as easy-rsa is not safe to run concurrently.
/// </summary>
public sealed class PkiEasyRsa : IDisposable
{
    public const string Script = "/usr/share/easy-rsa/easyrsa";
    private readonly string _dir = Directory.CreateTempSubdirectory("adminportal-bench-easyrsa-").FullName;
    private int _next;
    private readonly List<double> _seconds = [];

    private Dictionary<string, string> Env(string? commonName = null)
    {
        var env = new Dictionary<string, string>
        {
            ["EASYRSA_BATCH"] = "1", ["EASYRSA_ALGO"] = "ec", ["EASYRSA_CURVE"] = "prime256v1", ["EASYRSA_PKI"] = Path.Combine(_dir, "pki"),
        };
        if (commonName is not null) env["EASYRSA_REQ_CN"] = commonName;
        return env;
    }

    public static PkiEasyRsa Create()
    {
        var e = new PkiEasyRsa();
        PkiProcess.Check(PkiProcess.Run(Script, ["init-pki"], e.Env(), e._dir), "easyrsa init-pki");
        PkiProcess.Check(PkiProcess.Run(Script, ["build-ca", "nopass"], e.Env("Bench CA"), e._dir), "easyrsa build-ca");
        return e;
    }

    /// <summary>Issues <paramref name="count"/> client certificates one after the other; returns the seconds each took.</summary>
    public IReadOnlyList<double> BuildClients(int count)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var name = $"user{_next++}";
            var o = PkiProcess.Check(PkiProcess.Run(Script, ["build-client-full", name, "nopass"], Env(), _dir), "easyrsa build-client-full");
            if (!File.Exists(Path.Combine(_dir, "pki", "issued", name + ".crt"))) throw new InvalidOperationException("easy-rsa made no certificate: " + o.Output);
            times.Add(o.Seconds);
        }
        _seconds.AddRange(times);
        return times;
    }

    /// <summary>Every certificate timed so far.</summary>
    public IReadOnlyList<double> All => _seconds;

    public double PerSecond => _seconds.Count / _seconds.Sum();

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
